using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Tracemark.Ledger.Tests;

public sealed class ReceiptTests : IDisposable
{
    private readonly LedgerKey _key = LedgerKey.Generate();
    private readonly byte[] _file = "the photographed label of a seized handbag"u8.ToArray();

    [Fact]
    public void A_receipt_verifies_step_by_step_in_the_documented_order()
    {
        var receipt = MakeReceipt(new Random(1), size: 37, index: 21);

        var report = Receipt.FromJson(receipt.ToJson()).Verify(_key, SHA256.HashData(_file));

        Assert.True(report.AllHold, report.Failure?.Description);
        Assert.Equal(["file", "leaf", "leaf hash", "inclusion", "tree head", "signature"], report.Steps.Select(s => s.Subject));
        Assert.All(report.Steps, s => Assert.Equal(StepOutcome.Holds, s.Outcome));
        Assert.Contains("transferred of evidence " + Convert.ToHexStringLower(SHA256.HashData(_file)), report.Steps[1].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void What_was_not_given_is_reported_as_not_checked()
    {
        var report = MakeReceipt(new Random(2), size: 5, index: 4).Verify(key: null, fileSha256: null);

        Assert.True(report.AllHold);
        Assert.Equal(StepOutcome.NotChecked, report.Steps.Single(s => s.Subject == "file").Outcome);
        Assert.Equal(StepOutcome.NotChecked, report.Steps.Single(s => s.Subject == "signature").Outcome);
    }

    [Fact]
    public void A_changed_file_or_a_wrong_key_fails_with_its_reason()
    {
        var receipt = MakeReceipt(new Random(3), size: 12, index: 0);
        var changed = (byte[])_file.Clone();
        changed[^1] ^= 1;
        using var other = LedgerKey.Generate();

        var wrongFile = receipt.Verify(_key, SHA256.HashData(changed));
        var wrongKey = receipt.Verify(other, SHA256.HashData(_file));

        Assert.Equal("file", wrongFile.Failure?.Subject);
        Assert.Contains("the file was changed, or it is another file", wrongFile.Failure?.Description, StringComparison.Ordinal);
        Assert.Equal("signature", wrongKey.Failure?.Subject);
        Assert.Contains(other.Fingerprint, wrongKey.Failure?.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampering_with_any_bit_of_any_field_is_refused_or_fails_verification()
    {
        var original = MakeReceipt(new Random(4), size: 1000, index: 613).ToJson();
        var fileHash = SHA256.HashData(_file);
        var tampered = 0;
        foreach (var (json, what) in Tamperings(original))
        {
            tampered++;
            Receipt receipt;
            try
            {
                receipt = Receipt.FromJson(json);
            }
            catch (FormatException)
            {
                continue;
            }

            Assert.False(receipt.Verify(_key, fileHash).AllHold, "still verifies after tampering with " + what);
        }

        Assert.True(tampered > 4000, $"only {tampered} tamperings tried");
    }

    [Fact]
    public void Reading_names_the_field_that_is_wrong()
    {
        var json = MakeReceipt(new Random(5), size: 3, index: 1).ToJson();

        Assert.Contains("receipt: \"version\" is 2", Refused(json, r => r["version"] = 2), StringComparison.Ordinal);
        Assert.Contains("receipt: \"inclusionProof\"[1] is not a SHA-256 hash", Refused(json, r => r["inclusionProof"]![1] = "00"), StringComparison.Ordinal);
        Assert.Contains("receipt: \"sth\": \"signature\" is not base64", Refused(json, r => r["sth"]!["signature"] = "%%"), StringComparison.Ordinal);
        Assert.Contains("receipt: \"leafIndex\" is missing", Refused(json, r => r.AsObject().Remove("leafIndex")), StringComparison.Ordinal);
    }

    public void Dispose() => _key.Dispose();

    private static string Refused(string json, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(json)!;
        change(node);
        return Assert.Throws<FormatException>(() => Receipt.FromJson(node.ToJsonString())).Message;
    }

    private static IEnumerable<(string Json, string What)> Tamperings(string json)
    {
        var receipt = JsonNode.Parse(json)!;
        IEnumerable<(string, string)> Each(Func<JsonNode, JsonNode> parent, string name, Func<JsonNode, IEnumerable<JsonNode>> variants)
        {
            var i = 0;
            foreach (var variant in variants(parent(receipt)[name]!.DeepClone()))
            {
                var copy = receipt.DeepClone();
                parent(copy)[name] = variant;
                yield return (copy.ToJsonString(), $"{name} #{i++}");
            }
        }

        static IEnumerable<JsonNode> Numbers(JsonNode value) => Enumerable.Range(0, 64).Select(bit => (JsonNode)JsonValue.Create(value.GetValue<ulong>() ^ (1UL << bit)));
        static IEnumerable<JsonNode> Hex(JsonNode value) => ProofPropertyTests.Flips(Convert.FromHexString(value.GetValue<string>())).Select(f => (JsonNode)Convert.ToHexStringLower(f.Flipped));
        static IEnumerable<JsonNode> Base64(JsonNode value) => ProofPropertyTests.Flips(Convert.FromBase64String(value.GetValue<string>())).Select(f => (JsonNode)Convert.ToBase64String(f.Flipped));

        JsonNode Top(JsonNode r) => r;
        JsonNode Sth(JsonNode r) => r["sth"]!;
        var proof = receipt["inclusionProof"]!.AsArray();

        IEnumerable<(string, string)> all = [
            .. Each(Top, "version", _ => [JsonValue.Create(2)]),
            .. Each(Top, "leaf", Base64),
            .. Each(Top, "leafIndex", Numbers),
            .. Each(Top, "treeSize", Numbers),
            .. Each(Top, "rootHash", Hex),
            .. Each(Top, "inclusionProof", p => [new JsonArray([.. p.AsArray().Skip(1).Select(h => h!.DeepClone())]), new JsonArray([.. p.AsArray().Select(h => h!.DeepClone()), Convert.ToHexStringLower(new byte[32])])]),
            .. Each(Sth, "treeSize", Numbers),
            .. Each(Sth, "rootHash", Hex),
            .. Each(Sth, "timestamp", Numbers),
            .. Each(Sth, "signature", Base64),
        ];
        foreach (var (element, index) in proof.Select((element, index) => (element!, index)))
        {
            all = all.Concat(Hex(element).Select(variant =>
            {
                var copy = receipt.DeepClone();
                copy["inclusionProof"]![index] = variant;
                return (copy.ToJsonString(), $"inclusionProof[{index}]");
            }));
        }

        return all;
    }

    private Receipt MakeReceipt(Random random, int size, int index)
    {
        var leaves = new List<byte[]>();
        for (var i = 0; i < size; i++)
        {
            var evidence = new byte[32];
            random.NextBytes(evidence);
            leaves.Add(new CustodyEvent(
                i == index ? SHA256.HashData(_file) : evidence,
                CustodyEventKind.Transferred,
                DateTimeOffset.UnixEpoch.AddDays(20_000 + i),
                "org:customs-sh",
                "user:" + i,
                "seizure/2026-000123",
                "org:police-sh").Encode());
        }

        var tree = new MemoryTree(leaves);
        var head = _key.Sign(new TreeHead(tree.Size, tree.Root()), DateTimeOffset.UtcNow);
        return new Receipt(leaves[index], (ulong)index, tree.Size, tree.Inclusion((ulong)index, tree.Size), tree.Root(), head);
    }
}
