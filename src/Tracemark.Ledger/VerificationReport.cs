using System.Globalization;

namespace Tracemark.Ledger;

public enum StepOutcome
{
    Holds,
    Fails,
    NotChecked,
}

/// <summary>One thing a verifier checked (or could not check), said so that a person can repeat it.</summary>
public sealed record VerificationStep(string Subject, StepOutcome Outcome, string Description);

/// <summary>
/// The steps of one verification, in order. It stops at the first step that fails: later steps would check
/// data that is already known to be wrong.
/// </summary>
public sealed class VerificationReport
{
    private readonly List<VerificationStep> _steps = [];

    public IReadOnlyList<VerificationStep> Steps => _steps;

    public VerificationStep? Failure => _steps.Find(s => s.Outcome == StepOutcome.Fails);

    /// <summary>True when no step failed; steps that were not checked are listed but do not count.</summary>
    public bool AllHold => Failure is null;

    internal bool Holds(string subject, string description)
    {
        _steps.Add(new VerificationStep(subject, StepOutcome.Holds, description));
        return true;
    }

    internal bool Fails(string subject, string description)
    {
        _steps.Add(new VerificationStep(subject, StepOutcome.Fails, description));
        return false;
    }

    internal bool Check(string subject, VerificationResult result, string description) =>
        result.IsValid ? Holds(subject, description) : Fails(subject, result.Failure!);

    internal void NotChecked(string subject, string description) =>
        _steps.Add(new VerificationStep(subject, StepOutcome.NotChecked, description));

    internal bool CheckSignature(LedgerKey? key, SignedTreeHead treeHead)
    {
        if (key is null)
        {
            NotChecked("signature", "the tree head's signature was not checked: no public key was given");
            return true;
        }

        return Check(
            "signature",
            key.Verify(treeHead),
            string.Create(CultureInfo.InvariantCulture, $"the tree head of {Merkle.Number(treeHead.TreeSize)} leaves signed at {treeHead.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} carries a valid ECDSA P-256 signature by key {key.Fingerprint}"));
    }
}
