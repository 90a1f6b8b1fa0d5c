using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Tracemark.Ledger.Tests;

public sealed class TreeHeadTests
{
    private static readonly byte[] Root = SHA256.HashData("a root"u8);

    [Fact]
    public void The_signed_bytes_are_label_zero_size_root_timestamp()
    {
        var timestamp = new DateTimeOffset(2026, 3, 1, 0, 30, 0, 250, TimeSpan.Zero);
        var bytes = SignedTreeHead.EncodeSignedBytes(1_000_000, Root, timestamp);

        var expected = new byte[71];
        "tracemark-tree-head-v1"u8.CopyTo(expected);
        BinaryPrimitives.WriteUInt64BigEndian(expected.AsSpan(23), 1_000_000);
        Root.CopyTo(expected, 31);
        BinaryPrimitives.WriteUInt64BigEndian(expected.AsSpan(63), 1_772_325_000_250);
        Assert.Equal(expected, bytes);
        Assert.Equal(SignedTreeHead.SignedBytesLength, bytes.Length);
    }

    [Fact]
    public void A_signature_verifies_under_the_public_key_alone_and_under_no_other()
    {
        using var key = LedgerKey.Generate();
        using var publicKey = LedgerKey.FromPem(key.ExportPublicKeyPem());
        using var other = LedgerKey.Generate();
        var head = key.Sign(new TreeHead(42, Root), DateTimeOffset.UtcNow);

        Assert.True(key.CanSign);
        Assert.False(publicKey.CanSign);
        Assert.Equal(key.Fingerprint, publicKey.Fingerprint);
        Assert.True(publicKey.Verify(head).IsValid);
        Assert.Contains(other.Fingerprint, other.Verify(head).Failure, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => publicKey.Sign(new TreeHead(1, Root), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Changing_any_signed_field_or_any_bit_of_the_signature_breaks_it()
    {
        using var key = LedgerKey.Generate();
        var head = key.Sign(new TreeHead(1000, Root), DateTimeOffset.FromUnixTimeMilliseconds(1_772_325_000_250));

        for (var bit = 0; bit < 64; bit++)
        {
            Assert.False(key.Verify(new SignedTreeHead(head.TreeSize ^ (1UL << bit), head.RootHash, head.Timestamp, head.Signature)).IsValid);
            var timestamp = (long)((ulong)head.Timestamp.ToUnixTimeMilliseconds() ^ (1UL << bit));
            if (timestamp >= 0 && timestamp <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                Assert.False(key.Verify(new SignedTreeHead(head.TreeSize, head.RootHash, DateTimeOffset.FromUnixTimeMilliseconds(timestamp), head.Signature)).IsValid);
            }
        }

        foreach (var (root, _) in ProofPropertyTests.Flips(Root))
        {
            Assert.False(key.Verify(new SignedTreeHead(head.TreeSize, root, head.Timestamp, head.Signature)).IsValid);
        }

        foreach (var (signature, what) in ProofPropertyTests.Flips(head.Signature.ToArray()))
        {
            Assert.False(key.Verify(new SignedTreeHead(head.TreeSize, head.RootHash, head.Timestamp, signature)).IsValid, what);
        }
    }

    [Fact]
    public void Openssl_verifies_a_tree_head_signature_as_docs_ledger_md_shows()
    {
        using var key = LedgerKey.Generate();
        var head = key.Sign(new TreeHead(7, Root), DateTimeOffset.UtcNow);
        var folder = Directory.CreateTempSubdirectory("tracemark-sth-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "key.pem"), key.ExportPublicKeyPem());
            File.WriteAllBytes(Path.Combine(folder.FullName, "sth.bin"), head.SignedBytes());
            File.WriteAllBytes(Path.Combine(folder.FullName, "sth.sig"), head.Signature.ToArray());

            var (exit, output) = Run(folder.FullName, "openssl", "dgst", "-sha256", "-verify", "key.pem", "-signature", "sth.sig", "sth.bin");
            Assert.True(exit == 0, output);
            Assert.Contains("Verified OK", output, StringComparison.Ordinal);

            File.WriteAllBytes(Path.Combine(folder.FullName, "sth.bin"), SignedTreeHead.EncodeSignedBytes(8, Root, head.Timestamp));
            Assert.NotEqual(0, Run(folder.FullName, "openssl", "dgst", "-sha256", "-verify", "key.pem", "-signature", "sth.sig", "sth.bin").Exit);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Keys_must_be_P256()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("P-256", Assert.Throws<FormatException>(() => LedgerKey.FromPem(p384.ExportSubjectPublicKeyInfoPem())).Message, StringComparison.Ordinal);
        using var rsa = RSA.Create(2048);
        Assert.Throws<FormatException>(() => LedgerKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<FormatException>(() => LedgerKey.FromPem("not a key"));

        using var key = LedgerKey.Generate();
        using var reloaded = LedgerKey.FromPem(key.ExportPrivateKeyPem());
        Assert.True(reloaded.CanSign);
        Assert.Equal(key.Fingerprint, reloaded.Fingerprint);
    }

    [Fact]
    public void Json_round_trips_and_names_the_field_that_is_wrong()
    {
        using var key = LedgerKey.Generate();
        var head = key.Sign(new TreeHead(3, Root), DateTimeOffset.UtcNow);
        var copy = SignedTreeHead.FromJson(head.ToJson());

        Assert.Equal(head.ToJson(), copy.ToJson());
        Assert.True(key.Verify(copy).IsValid);
        Assert.Contains("\"rootHash\"", Assert.Throws<FormatException>(() => SignedTreeHead.FromJson(head.ToJson().Replace(Convert.ToHexStringLower(Root), "xyz", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
        Assert.Contains("\"treeSize\" is missing", Assert.Throws<FormatException>(() => SignedTreeHead.FromJson("{}")).Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Assert.Throws<FormatException>(() => SignedTreeHead.FromJson("{\"treeSize\": 1, \"treeSize\": 2}")).Message, StringComparison.Ordinal);
        Assert.Contains("\"treeSize\" is not a whole number", Assert.Throws<FormatException>(() => SignedTreeHead.FromJson("{\"treeSize\": -1}")).Message, StringComparison.Ordinal);
    }

    private static (int Exit, string Output) Run(string folder, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
