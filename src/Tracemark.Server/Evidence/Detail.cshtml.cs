using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Evidence;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Evidence;

public sealed class DetailModel(EvidenceStore evidence, EvidenceLedger ledger, Db db, OrganisationStore organisations, IStringLocalizer<EvidenceText> text) : TracemarkPageModel
{
    public EvidenceView? Evidence { get; private set; }

    /// <summary>The organisation holding the evidence records what happens to it (officers and administrators).</summary>
    public bool MayAct => Evidence is not null && Caller.CanWrite && Evidence.Custodian.Id == Caller.OrganisationId;

    /// <summary>What may still happen: everything while held; afterwards only a disclosure.</summary>
    public IReadOnlyList<string> Actions => Evidence?.Status == EvidenceRules.Wire(EvidenceStatus.Held)
        ? [.. Enum.GetValues<CustodyAction>().Select(EvidenceRules.Wire)]
        : [EvidenceRules.Wire(CustodyAction.Disclosed)];

    public IReadOnlyList<OrganisationView> Organisations { get; private set; } = [];

    public string Fingerprint => ledger.Key.Fingerprint;

    public ulong SignedSize { get; private set; }

    public DateTimeOffset SignedAt { get; private set; }

    public string ServerUrl => $"{Request.Scheme}://{Request.Host}";

    [BindProperty]
    public string? Kind { get; set; }

    [BindProperty]
    public Guid? Counterparty { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public string? OccurredAt { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCustodyAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            await evidence.RecordCustodyAsync([new NewCustodyEvent(id, Kind, Counterparty, Note, OccurredAt)], cancellationToken);
            Flash = text["action.done"];
            return Redirect($"/evidence/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        // Evidence the reader may not see is "not found", exactly like evidence that does not exist.
        Evidence = await evidence.GetAsync(id, cancellationToken);
        await using (var tx = await db.BeginAsync(cancellationToken))
        {
            var head = await ledger.LatestAsync(tx, cancellationToken);
            SignedSize = head.TreeSize;
            SignedAt = head.Timestamp;
        }

        if (MayAct)
        {
            Organisations = [.. (await organisations.ListAsync(null, null, cancellationToken)).Where(o => o.IsActive && o.Id != Caller.OrganisationId)];
        }
    }
}
