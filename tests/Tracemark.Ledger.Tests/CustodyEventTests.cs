using System.Buffers.Binary;
using System.Text;

namespace Tracemark.Ledger.Tests;

public sealed class CustodyEventTests
{
    private static readonly byte[] Evidence = Convert.FromHexString("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

    [Fact]
    public void Encodes_exactly_as_docs_ledger_md_describes()
    {
        var time = new DateTimeOffset(2026, 3, 1, 8, 30, 0, 250, TimeSpan.FromHours(8));
        var custodyEvent = new CustodyEvent(Evidence, CustodyEventKind.Transferred, time, "org:customs-sh", "user:4711", "seizure/2026-000123", "org:police-sh", "sealed bag 77");

        // Built field by field from the specification, not by the code under test.
        var expected = new List<byte>();
        expected.AddRange("TMCE"u8.ToArray());
        expected.Add(1);
        expected.Add(3);
        var milliseconds = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(milliseconds, time.ToUnixTimeMilliseconds());
        expected.AddRange(milliseconds);
        expected.AddRange(Evidence);
        foreach (var text in new[] { "org:customs-sh", "user:4711", "seizure/2026-000123", "org:police-sh", "sealed bag 77" })
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            expected.Add((byte)(utf8.Length >> 8));
            expected.Add((byte)utf8.Length);
            expected.AddRange(utf8);
        }

        Assert.Equal([.. expected], custodyEvent.Encode());
        // The example printed in docs/ledger.md.
        Assert.Equal(
            "544d43450103" + "0000019ca6cd543a" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            + "000e6f72673a637573746f6d732d7368" + "0009757365723a34373131" + "00137365697a7572652f323032362d303030313233"
            + "000d6f72673a706f6c6963652d7368" + "000d7365616c656420626167203737",
            Convert.ToHexStringLower(custodyEvent.Encode()));
    }

    [Fact]
    public void Decoding_then_encoding_gives_back_the_same_bytes_for_every_kind_and_text()
    {
        var random = new Random(1);
        string[] texts = ["", "org:1", "海关总署上海分署", "ｆｕｌｌ－ｗｉｄｔｈ", "Zoë", "emoji 🧾", new string('x', CustodyEvent.MaxTextBytes)];
        foreach (var kind in Enum.GetValues<CustodyEventKind>())
        {
            for (var i = 0; i < 20; i++)
            {
                var evidence = new byte[32];
                random.NextBytes(evidence);
                var original = new CustodyEvent(
                    evidence,
                    kind,
                    DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(0, 4_000_000_000_000)),
                    texts[random.Next(1, texts.Length)],
                    texts[random.Next(1, texts.Length)],
                    texts[random.Next(texts.Length)],
                    texts[random.Next(1, texts.Length)],
                    texts[random.Next(texts.Length)]);
                var bytes = original.Encode();
                var decoded = CustodyEvent.Decode(bytes);

                Assert.Equal(bytes, decoded.Encode());
                Assert.Equal(original.ToString(), decoded.ToString());
            }
        }
    }

    [Fact]
    public void The_same_event_always_has_the_same_bytes()
    {
        var composed = new CustodyEvent(Evidence, CustodyEventKind.Viewed, new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero).AddTicks(4567), "org:a", "Zo\u00eb");
        var decomposed = new CustodyEvent(Evidence, CustodyEventKind.Viewed, new DateTimeOffset(2026, 1, 1, 8, 0, 0, 123, TimeSpan.FromHours(8)), "org:a", "Zoe\u0308");

        Assert.Equal(composed.Encode(), decomposed.Encode());
        Assert.Equal(TimeSpan.Zero, composed.Time.Offset);
        Assert.Equal(0, composed.Time.Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public void Decoding_refuses_anything_but_an_exact_encoding()
    {
        var bytes = new CustodyEvent(Evidence, CustodyEventKind.Sampled, DateTimeOffset.UnixEpoch, "org:a", "user:1", "case/1", note: "sample 3 of 12").Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => CustodyEvent.Decode(bytes.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => CustodyEvent.Decode([.. bytes, 0]));
        Assert.Contains("does not start with", Refused(bytes, b => b[0] = (byte)'X'), StringComparison.Ordinal);
        Assert.Contains("version 2", Refused(bytes, b => b[4] = 2), StringComparison.Ordinal);
        Assert.Contains("unknown custody event kind 0", Refused(bytes, b => b[5] = 0), StringComparison.Ordinal);
        Assert.Contains("unknown custody event kind 9", Refused(bytes, b => b[5] = 9), StringComparison.Ordinal);
        Assert.Contains("time is out of range", Refused(bytes, b => BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(6), long.MaxValue)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_refuses_texts_that_no_event_encodes_to()
    {
        byte[] Leaf(string organisation, byte[]? actor = null, CustodyEventKind kind = CustodyEventKind.Viewed, string counterparty = "")
        {
            var bytes = new List<byte>();
            bytes.AddRange("TMCE"u8.ToArray());
            bytes.AddRange([1, (byte)kind, 0, 0, 0, 0, 0, 0, 0, 0]);
            bytes.AddRange(Evidence);
            foreach (var text in new[] { Encoding.UTF8.GetBytes(organisation), actor ?? "user:1"u8.ToArray(), [], Encoding.UTF8.GetBytes(counterparty), [] })
            {
                bytes.AddRange([(byte)(text.Length >> 8), (byte)text.Length, .. text]);
            }

            return [.. bytes];
        }

        Assert.Equal("org:a", CustodyEvent.Decode(Leaf("org:a")).Organisation);
        Assert.Contains("normalisation form C", Refused(Leaf("Zoe\u0308")), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", Refused(Leaf("org:a", actor: [0xC3, 0x28])), StringComparison.Ordinal);
        Assert.Contains("organisation is required", Refused(Leaf("")), StringComparison.Ordinal);
        Assert.Contains("counterparty is required", Refused(Leaf("org:a", kind: CustodyEventKind.Disclosed)), StringComparison.Ordinal);
        Assert.Contains("longer than", Refused(Leaf(new string('x', CustodyEvent.MaxTextBytes + 1))), StringComparison.Ordinal);
    }

    [Fact]
    public void Construction_checks_every_field()
    {
        var time = DateTimeOffset.UnixEpoch;
        Assert.Throws<ArgumentException>(() => new CustodyEvent(new byte[31], CustodyEventKind.Viewed, time, "org:a", "user:1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CustodyEvent(Evidence, (CustodyEventKind)0, time, "org:a", "user:1"));
        Assert.Throws<ArgumentException>(() => new CustodyEvent(Evidence, CustodyEventKind.Viewed, time, "", "user:1"));
        Assert.Throws<ArgumentException>(() => new CustodyEvent(Evidence, CustodyEventKind.Viewed, time, "org:a", " ".Trim()));
        Assert.Throws<ArgumentException>(() => new CustodyEvent(Evidence, CustodyEventKind.Transferred, time, "org:a", "user:1"));
        Assert.Throws<ArgumentException>(() => new CustodyEvent(Evidence, CustodyEventKind.Viewed, time, "org:a", "user:1", note: "\ud800"));
        Assert.Throws<ArgumentException>(() => new CustodyEvent(Evidence, CustodyEventKind.Viewed, time, "org:a", "user:1", note: new string('é', (CustodyEvent.MaxTextBytes / 2) + 1)));
    }

    private static string Refused(byte[] bytes, Action<byte[]>? change = null)
    {
        var copy = (byte[])bytes.Clone();
        change?.Invoke(copy);
        return Assert.Throws<FormatException>(() => CustodyEvent.Decode(copy)).Message;
    }
}
