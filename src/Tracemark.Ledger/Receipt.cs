using System.Globalization;
using System.Text.Json;

namespace Tracemark.Ledger;

/// <summary>
/// Everything needed to prove, offline, that a custody event is in the log: the leaf's exact bytes, its index,
/// the inclusion proof to the root of a tree of <see cref="TreeSize"/> leaves, and the node's signed tree head
/// for that root. JSON format version 1, docs/ledger.md.
/// </summary>
public sealed class Receipt
{
    public const int FormatVersion = 1;

    private readonly byte[] _leaf;
    private readonly byte[] _rootHash;
    private readonly byte[][] _inclusionProof;

    public Receipt(ReadOnlySpan<byte> leaf, ulong leafIndex, ulong treeSize, IReadOnlyList<byte[]> inclusionProof, ReadOnlySpan<byte> rootHash, SignedTreeHead treeHead)
    {
        ArgumentNullException.ThrowIfNull(inclusionProof);
        ArgumentNullException.ThrowIfNull(treeHead);
        if (rootHash.Length != Merkle.HashSize)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        _leaf = leaf.ToArray();
        LeafIndex = leafIndex;
        TreeSize = treeSize;
        _inclusionProof = [.. inclusionProof.Select(h => h.ToArray())];
        _rootHash = rootHash.ToArray();
        TreeHead = treeHead;
    }

    /// <summary>The leaf's exact bytes: for Tracemark, an encoded <see cref="CustodyEvent"/>.</summary>
    public ReadOnlySpan<byte> Leaf => _leaf;

    public ulong LeafIndex { get; }

    public ulong TreeSize { get; }

    public IReadOnlyList<byte[]> InclusionProof => _inclusionProof;

    public ReadOnlySpan<byte> RootHash => _rootHash;

    public SignedTreeHead TreeHead { get; }

    public string ToJson() => LedgerJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", FormatVersion);
        writer.WriteBase64String("leaf", _leaf);
        writer.WriteNumber("leafIndex", LeafIndex);
        writer.WriteNumber("treeSize", TreeSize);
        LedgerJson.WriteHashArray(writer, "inclusionProof", _inclusionProof);
        writer.WriteString("rootHash", Merkle.Hex(_rootHash));
        writer.WritePropertyName("sth");
        TreeHead.WriteJson(writer);
        writer.WriteEndObject();
    });

    public static Receipt FromJson(string json)
    {
        using var document = LedgerJson.Parse(json, "receipt");
        return Read(document.RootElement);
    }

    /// <summary>
    /// Checks, in order: the file's SHA-256 is the evidence hash the leaf records (when <paramref name="fileSha256"/>
    /// is given), the leaf hash, the inclusion proof from the leaf to the root, that the root and size are the
    /// signed tree head's, and the tree head's signature (when <paramref name="key"/> is given).
    /// </summary>
    public VerificationReport Verify(LedgerKey? key, byte[]? fileSha256)
    {
        var report = new VerificationReport();
        _ = CheckLeaf(report, fileSha256)
            && CheckInclusion(report)
            && CheckTreeHead(report)
            && report.CheckSignature(key, TreeHead);
        return report;
    }

    private static Receipt Read(JsonElement root)
    {
        const string Path = "receipt";
        LedgerJson.RequireObject(root, Path);
        var version = LedgerJson.UInt64(root, "version", Path);
        if (version != FormatVersion)
        {
            throw new FormatException($"receipt: \"version\" is {version.ToString(CultureInfo.InvariantCulture)}; this program reads version {FormatVersion.ToString(CultureInfo.InvariantCulture)}");
        }

        return new Receipt(
            LedgerJson.Base64(root, "leaf", Path),
            LedgerJson.UInt64(root, "leafIndex", Path),
            LedgerJson.UInt64(root, "treeSize", Path),
            LedgerJson.HashArray(root, "inclusionProof", Path),
            LedgerJson.Hash(root, "rootHash", Path),
            SignedTreeHead.Read(LedgerJson.Property(root, "sth", Path), "receipt: \"sth\""));
    }

    private bool CheckLeaf(VerificationReport report, byte[]? fileSha256)
    {
        CustodyEvent custodyEvent;
        try
        {
            custodyEvent = CustodyEvent.Decode(_leaf);
        }
        catch (FormatException ex)
        {
            return report.Fails("leaf", ex.Message);
        }

        if (fileSha256 is null)
        {
            report.NotChecked("file", "no evidence file was given: the receipt's leaf was not compared with a file");
        }
        else if (!custodyEvent.EvidenceSha256.SequenceEqual(fileSha256))
        {
            return report.Fails("file", $"the file's SHA-256 is {Merkle.Hex(fileSha256)} but the leaf records evidence {Merkle.Hex(custodyEvent.EvidenceSha256)}: the file was changed, or it is another file");
        }
        else
        {
            report.Holds("file", $"the file's SHA-256 {Merkle.Hex(fileSha256)} is the evidence hash the leaf records");
        }

        return report.Holds("leaf", $"leaf {Merkle.Number(LeafIndex)} is a custody event: {custodyEvent}");
    }

    private bool CheckInclusion(VerificationReport report)
    {
        var leafHash = Merkle.HashLeaf(_leaf);
        report.Holds("leaf hash", $"SHA-256(0x00 ‖ leaf) = {Merkle.Hex(leafHash)}");
        return report.Check(
            "inclusion",
            Merkle.VerifyInclusion(LeafIndex, TreeSize, leafHash, _inclusionProof, _rootHash),
            $"the inclusion proof ({_inclusionProof.Length} hashes) leads from leaf {Merkle.Number(LeafIndex)} to root {Merkle.Hex(_rootHash)} of a tree of {Merkle.Number(TreeSize)} leaves");
    }

    private bool CheckTreeHead(VerificationReport report)
    {
        if (TreeHead.TreeSize != TreeSize || !TreeHead.RootHash.SequenceEqual(_rootHash))
        {
            return report.Fails("tree head", $"the receipt's tree ({Merkle.Number(TreeSize)} leaves, root {Merkle.Hex(_rootHash)}) is not the signed tree head's ({Merkle.Number(TreeHead.TreeSize)} leaves, root {Merkle.Hex(TreeHead.RootHash)})");
        }

        return report.Holds("tree head", "the root and size are those of the signed tree head");
    }
}
