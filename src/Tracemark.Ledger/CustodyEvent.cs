using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Tracemark.Ledger;

/// <summary>What happened to a piece of evidence. The numbers are part of the leaf format: never renumber.</summary>
public enum CustodyEventKind : byte
{
    Collected = 1,
    Uploaded = 2,
    Transferred = 3,
    Viewed = 4,
    Disclosed = 5,
    Sampled = 6,
    Returned = 7,
    Destroyed = 8,
}

/// <summary>
/// One custody event of one piece of evidence, and its canonical leaf encoding (version 1, docs/ledger.md):
/// <c>"TMCE" ‖ version ‖ kind ‖ time ‖ evidence SHA-256 ‖ organisation ‖ actor ‖ record ‖ counterparty ‖ note</c>.
/// An event has exactly one encoding: times are whole milliseconds, texts are NFC-normalised UTF-8, and
/// <see cref="Decode"/> accepts only bytes that <see cref="Encode"/> would produce.
/// </summary>
public sealed class CustodyEvent
{
    public const byte FormatVersion = 1;

    /// <summary>The most UTF-8 bytes any text field may hold.</summary>
    public const int MaxTextBytes = 4096;

    private const int HeaderSize = 4 + 1 + 1 + 8 + Merkle.HashSize;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _evidenceSha256;

    public CustodyEvent(
        ReadOnlySpan<byte> evidenceSha256,
        CustodyEventKind kind,
        DateTimeOffset time,
        string organisation,
        string actor,
        string? record = null,
        string? counterparty = null,
        string? note = null)
    {
        if (evidenceSha256.Length != Merkle.HashSize)
        {
            throw new ArgumentException("The evidence hash is a 32-byte SHA-256.", nameof(evidenceSha256));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown custody event kind.");
        }

        _evidenceSha256 = evidenceSha256.ToArray();
        Kind = kind;
        Time = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        Organisation = Text(organisation, nameof(organisation), required: true);
        Actor = Text(actor, nameof(actor), required: true);
        Record = Text(record, nameof(record), required: false);
        Counterparty = Text(counterparty, nameof(counterparty), required: kind is CustodyEventKind.Transferred or CustodyEventKind.Disclosed);
        Note = Text(note, nameof(note), required: false);
    }

    /// <summary>SHA-256 of the evidence file's bytes.</summary>
    public ReadOnlySpan<byte> EvidenceSha256 => _evidenceSha256;

    public CustodyEventKind Kind { get; }

    /// <summary>When it happened, in UTC, to the millisecond.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Identifier of the organisation that did it.</summary>
    public string Organisation { get; }

    /// <summary>Identifier of the user or API key that did it (an identifier, not a name: receipts travel).</summary>
    public string Actor { get; }

    /// <summary>The record (case, seizure, complaint, …) the evidence belongs to; empty when none yet.</summary>
    public string Record { get; }

    /// <summary>The other organisation of a transfer, disclosure or return; empty when none.</summary>
    public string Counterparty { get; }

    /// <summary>Free text: the sample taken, the certificate of destruction, …; empty when none.</summary>
    public string Note { get; }

    public byte[] Encode()
    {
        var texts = new[] { Organisation, Actor, Record, Counterparty, Note };
        var length = HeaderSize;
        foreach (var text in texts)
        {
            length += 2 + StrictUtf8.GetByteCount(text);
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        "TMCE"u8.CopyTo(span);
        span[4] = FormatVersion;
        span[5] = (byte)Kind;
        BinaryPrimitives.WriteInt64BigEndian(span[6..], Time.ToUnixTimeMilliseconds());
        _evidenceSha256.CopyTo(span[14..]);
        var position = HeaderSize;
        foreach (var text in texts)
        {
            var written = StrictUtf8.GetBytes(text, span[(position + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[position..], (ushort)written);
            position += 2 + written;
        }

        return bytes;
    }

    /// <summary>Reads a leaf; throws <see cref="FormatException"/> saying what is wrong unless it is exactly the encoding of an event.</summary>
    public static CustodyEvent Decode(ReadOnlySpan<byte> leaf)
    {
        if (leaf.Length < HeaderSize || !leaf[..4].SequenceEqual("TMCE"u8))
        {
            throw new FormatException("the leaf is not a Tracemark custody event (it does not start with \"TMCE\")");
        }

        if (leaf[4] != FormatVersion)
        {
            throw new FormatException($"the leaf is custody event format version {leaf[4].ToString(CultureInfo.InvariantCulture)}; this program reads version {FormatVersion.ToString(CultureInfo.InvariantCulture)}");
        }

        var kind = (CustodyEventKind)leaf[5];
        if (!Enum.IsDefined(kind))
        {
            throw new FormatException($"the leaf has an unknown custody event kind {leaf[5].ToString(CultureInfo.InvariantCulture)}");
        }

        var milliseconds = BinaryPrimitives.ReadInt64BigEndian(leaf[6..]);
        if (milliseconds < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new FormatException("the leaf's time is out of range");
        }

        var evidence = leaf.Slice(14, Merkle.HashSize);
        var rest = leaf[HeaderSize..];
        var organisation = ReadText(ref rest, "organisation");
        var actor = ReadText(ref rest, "actor");
        var record = ReadText(ref rest, "record");
        var counterparty = ReadText(ref rest, "counterparty");
        var note = ReadText(ref rest, "note");
        if (!rest.IsEmpty)
        {
            throw new FormatException($"the leaf has {rest.Length.ToString(CultureInfo.InvariantCulture)} bytes after its last field");
        }

        try
        {
            return new CustodyEvent(evidence, kind, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), organisation, actor, record, counterparty, note);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException("the leaf is not a valid custody event: " + ex.Message, ex);
        }
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Kind.ToString().ToLowerInvariant()} of evidence {Merkle.Hex(_evidenceSha256)} by {Actor} ({Organisation}) at {Time:yyyy-MM-ddTHH:mm:ss.fffZ}{Suffix(", record ", Record)}{Suffix(", counterparty ", Counterparty)}{Suffix(", note: ", Note)}");

    private static string Suffix(string label, string value) => value.Length == 0 ? string.Empty : label + value;

    private static string Text(string? value, string field, bool required)
    {
        value ??= string.Empty;
        string normalised;
        try
        {
            normalised = value.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The {field} is not valid Unicode text.", field, ex);
        }

        if (required && normalised.Length == 0)
        {
            throw new ArgumentException($"The {field} is required.", field);
        }

        if (StrictUtf8.GetByteCount(normalised) > MaxTextBytes)
        {
            throw new ArgumentException($"The {field} is longer than {MaxTextBytes.ToString(CultureInfo.InvariantCulture)} UTF-8 bytes.", field);
        }

        return normalised;
    }

    private static string ReadText(ref ReadOnlySpan<byte> rest, string field)
    {
        if (rest.Length < 2)
        {
            throw new FormatException($"the leaf ends before its {field}");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (length > MaxTextBytes || rest.Length < 2 + length)
        {
            throw new FormatException($"the leaf's {field} is longer than the leaf or than {MaxTextBytes.ToString(CultureInfo.InvariantCulture)} bytes");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(rest.Slice(2, length));
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException($"the leaf's {field} is not valid UTF-8", ex);
        }

        if (!text.IsNormalized(NormalizationForm.FormC))
        {
            throw new FormatException($"the leaf's {field} is not in Unicode normalisation form C");
        }

        rest = rest[(2 + length)..];
        return text;
    }
}
