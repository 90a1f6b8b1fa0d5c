using System.Buffers.Binary;
using System.Text.Json;

namespace Tracemark.Ledger;

/// <summary>The size and root hash of a log at one moment.</summary>
public sealed class TreeHead
{
    private readonly byte[] _rootHash;

    public TreeHead(ulong treeSize, ReadOnlySpan<byte> rootHash)
    {
        if (rootHash.Length != Merkle.HashSize)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        TreeSize = treeSize;
        _rootHash = rootHash.ToArray();
    }

    public ulong TreeSize { get; }

    public ReadOnlySpan<byte> RootHash => _rootHash;
}

/// <summary>
/// A tree head signed by the node's key. What is signed is <see cref="EncodeSignedBytes"/>: a fixed label, then
/// the tree size, the root hash and the timestamp, 71 bytes in all (docs/ledger.md); the signature is ECDSA P-256
/// over SHA-256 of those bytes, DER-encoded (RFC 3279 Ecdsa-Sig-Value), so <c>openssl dgst -sha256 -verify</c>
/// checks it too.
/// </summary>
public sealed class SignedTreeHead
{
    public const int SignedBytesLength = 22 + 1 + 8 + Merkle.HashSize + 8;

    private readonly byte[] _rootHash;
    private readonly byte[] _signature;

    public SignedTreeHead(ulong treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp, ReadOnlySpan<byte> signature)
    {
        if (rootHash.Length != Merkle.HashSize)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        if (timestamp < DateTimeOffset.UnixEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), "A tree head's timestamp is not before 1970.");
        }

        TreeSize = treeSize;
        _rootHash = rootHash.ToArray();
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds());
        _signature = signature.ToArray();
    }

    /// <summary>The label that starts the signed bytes, so that no signature the node makes for another purpose can pass for a tree head's.</summary>
    public static ReadOnlySpan<byte> Label => "tracemark-tree-head-v1"u8;

    public ulong TreeSize { get; }

    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>When the node signed it, in UTC, to the millisecond.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>ECDSA P-256 signature over SHA-256 of <see cref="EncodeSignedBytes"/>, DER-encoded.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>label ‖ 0x00 ‖ tree size (uint64, big-endian) ‖ root hash (32 bytes) ‖ timestamp (uint64 milliseconds since 1970-01-01T00:00:00Z, big-endian).</summary>
    public static byte[] EncodeSignedBytes(ulong treeSize, ReadOnlySpan<byte> rootHash, DateTimeOffset timestamp)
    {
        if (rootHash.Length != Merkle.HashSize)
        {
            throw new ArgumentException("A root hash is 32 bytes.", nameof(rootHash));
        }

        var bytes = new byte[SignedBytesLength];
        var span = bytes.AsSpan();
        Label.CopyTo(span);
        span[Label.Length] = 0x00;
        var position = Label.Length + 1;
        BinaryPrimitives.WriteUInt64BigEndian(span[position..], treeSize);
        rootHash.CopyTo(span[(position + 8)..]);
        BinaryPrimitives.WriteUInt64BigEndian(span[(position + 8 + Merkle.HashSize)..], (ulong)timestamp.ToUnixTimeMilliseconds());
        return bytes;
    }

    public byte[] SignedBytes() => EncodeSignedBytes(TreeSize, _rootHash, Timestamp);

    /// <summary><c>{"treeSize": n, "rootHash": hex, "timestamp": unix milliseconds, "signature": base64 DER}</c></summary>
    public string ToJson() => LedgerJson.Write(WriteJson);

    public static SignedTreeHead FromJson(string json)
    {
        using var document = LedgerJson.Parse(json, "tree head");
        return Read(document.RootElement, "tree head");
    }

    internal void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("treeSize", TreeSize);
        writer.WriteString("rootHash", Merkle.Hex(_rootHash));
        writer.WriteNumber("timestamp", Timestamp.ToUnixTimeMilliseconds());
        writer.WriteBase64String("signature", _signature);
        writer.WriteEndObject();
    }

    internal static SignedTreeHead Read(JsonElement element, string path)
    {
        LedgerJson.RequireObject(element, path);
        var treeSize = LedgerJson.UInt64(element, "treeSize", path);
        var rootHash = LedgerJson.Hash(element, "rootHash", path);
        var milliseconds = LedgerJson.UInt64(element, "timestamp", path);
        if (milliseconds > (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new FormatException($"{path}: \"timestamp\" is past the year 9999");
        }

        return new SignedTreeHead(treeSize, rootHash, DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds), LedgerJson.Base64(element, "signature", path));
    }
}
