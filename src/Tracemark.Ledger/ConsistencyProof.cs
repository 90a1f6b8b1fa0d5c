using System.Globalization;

namespace Tracemark.Ledger;

/// <summary>
/// A proof that the log at <see cref="ToSize"/> leaves is the log at <see cref="FromSize"/> leaves with leaves
/// appended and nothing changed. JSON: <c>{"fromSize": m, "toSize": n, "consistencyProof": [hex, …]}</c>.
/// </summary>
public sealed class ConsistencyProof
{
    private readonly byte[][] _hashes;

    public ConsistencyProof(ulong fromSize, ulong toSize, IReadOnlyList<byte[]> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        FromSize = fromSize;
        ToSize = toSize;
        _hashes = [.. hashes.Select(h => h.ToArray())];
    }

    public ulong FromSize { get; }

    public ulong ToSize { get; }

    public IReadOnlyList<byte[]> Hashes => _hashes;

    public string ToJson() => LedgerJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("fromSize", FromSize);
        writer.WriteNumber("toSize", ToSize);
        LedgerJson.WriteHashArray(writer, "consistencyProof", _hashes);
        writer.WriteEndObject();
    });

    public static ConsistencyProof FromJson(string json)
    {
        const string Path = "consistency proof";
        using var document = LedgerJson.Parse(json, Path);
        var root = document.RootElement;
        LedgerJson.RequireObject(root, Path);
        return new ConsistencyProof(
            LedgerJson.UInt64(root, "fromSize", Path),
            LedgerJson.UInt64(root, "toSize", Path),
            LedgerJson.HashArray(root, "consistencyProof", Path));
    }

    /// <summary>
    /// Checks that <paramref name="newer"/> extends <paramref name="older"/>: both signatures (when
    /// <paramref name="key"/> is given), then this proof between their roots. Two validly signed tree heads
    /// that fail this check are the node's own evidence that it rewrote its log.
    /// </summary>
    public VerificationReport Verify(SignedTreeHead older, SignedTreeHead newer, LedgerKey? key)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var report = new VerificationReport();
        if (!(report.CheckSignature(key, older) && report.CheckSignature(key, newer) && CheckSizes(report, older, newer)))
        {
            return report;
        }

        if (older.TreeSize == 0)
        {
            // RFC 9162 has no proof from the empty tree: every log extends it, provided it really was empty.
            _ = older.RootHash.SequenceEqual(Merkle.EmptyRoot) && _hashes.Length == 0
                ? report.Holds("consistency", "the older tree head is of the empty log, which every log extends")
                : report.Fails("consistency", "the older tree head claims 0 leaves but not the empty tree's root, or comes with a proof");
            return report;
        }

        _ = report.Check(
                "consistency",
                Merkle.VerifyConsistency(older.TreeSize, newer.TreeSize, _hashes, older.RootHash, newer.RootHash) switch
                {
                    { IsValid: true } valid => valid,
                    var failed => VerificationResult.Fail($"the log's history was rewritten, or the proof is wrong: {failed.Failure}"),
                },
                older.TreeSize == newer.TreeSize
                    ? $"both tree heads have {Merkle.Number(older.TreeSize)} leaves and the same root"
                    : $"the consistency proof ({_hashes.Length} hashes) shows that the tree of {Merkle.Number(newer.TreeSize)} leaves (root {Merkle.Hex(newer.RootHash)}) extends the tree of {Merkle.Number(older.TreeSize)} leaves (root {Merkle.Hex(older.RootHash)}) without changing it");
        return report;
    }

    private bool CheckSizes(VerificationReport report, SignedTreeHead older, SignedTreeHead newer)
    {
        if (older.TreeSize > newer.TreeSize)
        {
            return report.Fails("sizes", $"the newer tree head has {Merkle.Number(newer.TreeSize)} leaves, fewer than the older one's {Merkle.Number(older.TreeSize)}: the log lost leaves");
        }

        if (FromSize != older.TreeSize || ToSize != newer.TreeSize)
        {
            return report.Fails("sizes", string.Create(CultureInfo.InvariantCulture, $"the proof is from {FromSize} to {ToSize} leaves, but the tree heads have {older.TreeSize} and {newer.TreeSize}"));
        }

        return report.Holds("sizes", $"the older tree head has {Merkle.Number(older.TreeSize)} leaves, the newer {Merkle.Number(newer.TreeSize)}");
    }
}
