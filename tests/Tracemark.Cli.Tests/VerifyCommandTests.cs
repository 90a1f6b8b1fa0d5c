using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Ledger;

namespace Tracemark.Cli.Tests;

/// <summary>`tracemark verify` as a court or a foreign partner would run it: on files it was handed, or against a node.</summary>
public sealed class VerifyCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-verify-tests", Guid.NewGuid().ToString("N"));
    private readonly LedgerKey _key = LedgerKey.Generate();
    private LedgerLog _log = null!;

    private string Evidence => Path.Combine(_folder, "evidence.jpg");

    private string PublicKey => Path.Combine(_folder, "key.pem");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await File.WriteAllBytesAsync(Evidence, RandomNumberGenerator.GetBytes(10_000), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(PublicKey, _key.ExportPublicKeyPem(), TestContext.Current.CancellationToken);
        _log = await NewLogAsync("log", rewriteLeaf: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        _key.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_receipt_with_its_file_and_key_verifies_and_says_what_was_checked()
    {
        var receipt = await WriteReceiptAsync();

        var result = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", Evidence, "--public-key", PublicKey]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Empty(result.Error);
        foreach (var step in new[] { "ok    file", "ok    leaf ", "ok    leaf hash", "ok    inclusion", "ok    tree head", "ok    signature" })
        {
            Assert.Contains(step, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains(_key.Fingerprint, result.Output, StringComparison.Ordinal);
        Assert.Contains("Verified: every check above holds.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_or_file_it_verifies_the_rest_and_says_what_it_did_not_check()
    {
        var result = await CliProcess.RunAsync(["verify", "--receipt", await WriteReceiptAsync()]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("skip  file", result.Output, StringComparison.Ordinal);
        Assert.Contains("skip  signature", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("changed file", "file: the file's SHA-256 is")]
    [InlineData("wrong proof", "inclusion: the inclusion proof leads to root")]
    [InlineData("bad signature", "signature: the signature of the tree head")]
    [InlineData("wrong key", "signature: the signature of the tree head")]
    [InlineData("other root", "tree head: the receipt's tree")]
    public async Task A_failed_check_is_one_line_with_the_reason_and_exit_code_1(string tampering, string reason)
    {
        var receipt = await WriteReceiptAsync();
        var file = Evidence;
        var key = PublicKey;
        switch (tampering)
        {
            case "changed file":
                file = Path.Combine(_folder, "changed.jpg");
                var bytes = await File.ReadAllBytesAsync(Evidence, TestContext.Current.CancellationToken);
                bytes[5000] ^= 0x10;
                await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);
                break;
            case "wrong proof":
                Tamper(receipt, r => r["inclusionProof"]![2] = Convert.ToHexStringLower(SHA256.HashData("not a node"u8)));
                break;
            case "bad signature":
                Tamper(receipt, r => r["sth"]!["timestamp"] = r["sth"]!["timestamp"]!.GetValue<long>() + 1);
                break;
            case "wrong key":
                key = Path.Combine(_folder, "other.pem");
                using (var other = LedgerKey.Generate())
                {
                    await File.WriteAllTextAsync(key, other.ExportPublicKeyPem(), TestContext.Current.CancellationToken);
                }

                break;
            default:
                Tamper(receipt, r => r["sth"]!["rootHash"] = r["inclusionProof"]![0]!.GetValue<string>());
                break;
        }

        var result = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", file, "--public-key", key]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tracemark: verification failed: " + reason, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Verified", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_receipt_is_one_line_naming_the_file_and_field()
    {
        var receipt = await WriteReceiptAsync();
        Tamper(receipt, r => r["leafIndex"] = "seven");

        var result = await CliProcess.RunAsync(["verify", "--receipt", receipt]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"tracemark: {receipt}: receipt: \"leafIndex\" is not a whole number from 0 to 2^64-1", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Two_tree_heads_and_a_consistency_proof_from_files_verify()
    {
        var (older, newer, proof) = await WriteExtensionAsync(_log, 20);

        var result = await CliProcess.RunAsync(["verify", "--old", older, "--new", newer, "--proof", proof, "--public-key", PublicKey]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("ok    consistency", result.Output, StringComparison.Ordinal);
        Assert.Contains("Verified: the log of 60 leaves is the log of 20 leaves with leaves appended and nothing changed.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewritten_history_is_detected_from_files()
    {
        var (older, _, _) = await WriteExtensionAsync(_log, 20);
        await using var rewritten = await NewLogAsync("rewritten", rewriteLeaf: 7);
        var (_, newer, proof) = await WriteExtensionAsync(rewritten, 20);

        var result = await CliProcess.RunAsync(["verify", "--old", older, "--new", newer, "--proof", proof, "--public-key", PublicKey]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("tracemark: verification failed: consistency: the log's history was rewritten", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Against_a_node_an_extended_log_verifies_and_a_rewritten_one_is_detected()
    {
        var receipt = await WriteReceiptAsync(treeSize: 30);
        await using var node = await LedgerNode.StartAsync(_log, _key);

        var honest = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", node.Url, "--public-key", PublicKey]);
        var withReceipt = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", Evidence, "--server", node.Url]);
        await using var rewritten = await NewLogAsync("rewritten", rewriteLeaf: 12);
        node.Log = rewritten;
        var dishonest = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", node.Url, "--public-key", PublicKey]);

        Assert.True(honest.ExitCode == 0, honest.Error);
        Assert.Contains("The node's current tree head: 60 leaves", honest.Output, StringComparison.Ordinal);
        Assert.True(withReceipt.ExitCode == 0, withReceipt.Error);
        Assert.Contains("Public key fetched from the node being checked: " + _key.Fingerprint, withReceipt.Output, StringComparison.Ordinal);
        Assert.Contains("ok    consistency", withReceipt.Output, StringComparison.Ordinal);
        Assert.Equal(1, dishonest.ExitCode);
        Assert.StartsWith("tracemark: verification failed: consistency: the log's history was rewritten", Assert.Single(dishonest.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_cannot_be_reached_or_answers_an_error_or_nonsense_is_one_line()
    {
        var receipt = await WriteReceiptAsync();
        await using var node = await LedgerNode.StartAsync(_log, _key);
        node.Broken = true;

        var unreachable = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", "http://127.0.0.1:1", "--public-key", PublicKey]);
        var broken = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", node.Url, "--public-key", PublicKey]);
        (node.Broken, node.Garbled) = (false, true);
        var garbled = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", node.Url, "--public-key", PublicKey]);

        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith("tracemark: cannot reach http://127.0.0.1:1/api/v1/ledger/tree-head", Assert.Single(unreachable.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(1, broken.ExitCode);
        Assert.Equal($"tracemark: GET {node.Url}/api/v1/ledger/tree-head answered 503 Service Unavailable: the ledger is being restored", Assert.Single(broken.ErrorLines));
        Assert.Equal(1, garbled.ExitCode);
        Assert.Equal($"tracemark: {node.Url}/api/v1/ledger/tree-head: tree head: \"treeSize\" is not a whole number from 0 to 2^64-1", Assert.Single(garbled.ErrorLines));
    }

    [Theory]
    [InlineData(new[] { "verify" }, "give --receipt, or --old with --new and --proof, or --old with --server")]
    [InlineData(new[] { "verify", "--file", "x" }, "give --receipt, or --old with --new and --proof, or --old with --server")]
    [InlineData(new[] { "verify", "--old", "a", "--new", "b" }, "--new and --proof go together")]
    [InlineData(new[] { "verify", "--old", "a" }, "--old needs --new and --proof, or --server")]
    [InlineData(new[] { "verify", "--receipt", "r", "--old", "a", "--server", "s" }, "--receipt and --old are two ways to give the older tree head: give one")]
    [InlineData(new[] { "verify", "--old", "a", "--new", "b", "--proof", "c", "--server", "s" }, "--server fetches the newer tree head itself")]
    [InlineData(new[] { "verify", "--old", "a", "--server", "s", "--file", "f" }, "--file needs the --receipt it goes with")]
    public async Task Options_that_do_not_go_together_are_a_usage_error(string[] arguments, string message)
    {
        var result = await CliProcess.RunAsync(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_unreadable_file_is_one_line()
    {
        var missing = await CliProcess.RunAsync(["verify", "--receipt", Path.Combine(_folder, "nowhere.json")]);
        var noFolder = await CliProcess.RunAsync(["verify", "--receipt", await WriteReceiptAsync(), "--file", Path.Combine(_folder, "no", "such", "folder")]);
        var folder = await CliProcess.RunAsync(["verify", "--receipt", _folder]);

        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("tracemark: file not found: ", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(1, noFolder.ExitCode);
        Assert.StartsWith("tracemark: cannot read ", Assert.Single(noFolder.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(1, folder.ExitCode);
        Assert.Single(folder.ErrorLines);
    }

    /// <summary>60 custody events, the evidence file's at index 25; a rewritten log differs in one earlier event.</summary>
    private async Task<LedgerLog> NewLogAsync(string name, int? rewriteLeaf)
    {
        var log = LedgerLog.Open(Path.Combine(_folder, name));
        var evidence = SHA256.HashData(await File.ReadAllBytesAsync(Evidence, TestContext.Current.CancellationToken));
        for (var i = 0; i < 60; i++)
        {
            var kind = i == rewriteLeaf ? CustodyEventKind.Destroyed : CustodyEventKind.Viewed;
            await log.AppendAsync(new CustodyEvent(i == 25 ? evidence : SHA256.HashData(BitConverter.GetBytes(i)), kind, DateTimeOffset.UnixEpoch.AddDays(20_000 + i), "org:customs-sh", "user:" + i, "seizure/2026-1").Encode());
        }

        return log;
    }

    private async Task<string> WriteReceiptAsync(ulong treeSize = 60)
    {
        var path = Path.Combine(_folder, "receipt.json");
        var head = _key.Sign(new TreeHead(treeSize, _log.RootAt(treeSize)), DateTimeOffset.UtcNow);
        await File.WriteAllTextAsync(path, _log.CreateReceipt(25, head).ToJson(), TestContext.Current.CancellationToken);
        return path;
    }

    private async Task<(string Older, string Newer, string Proof)> WriteExtensionAsync(LedgerLog log, ulong olderSize)
    {
        var name = Path.GetFileName(log.Folder);
        var older = Path.Combine(_folder, name + "-old.json");
        var newer = Path.Combine(_folder, name + "-new.json");
        var proof = Path.Combine(_folder, name + "-proof.json");
        await File.WriteAllTextAsync(older, _key.Sign(new TreeHead(olderSize, log.RootAt(olderSize)), DateTimeOffset.UtcNow).ToJson(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(newer, _key.Sign(log.Head, DateTimeOffset.UtcNow).ToJson(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(proof, log.ProveConsistency(olderSize, log.Size).ToJson(), TestContext.Current.CancellationToken);
        return (older, newer, proof);
    }

    private static void Tamper(string path, Action<JsonNode> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>A stand-in for a node's ledger endpoints, answering in the shapes docs/ledger.md defines.</summary>
    private sealed class LedgerNode : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LedgerNode(WebApplication app, LedgerLog log)
        {
            _app = app;
            Log = log;
        }

        public LedgerLog Log { get; set; }

        public bool Broken { get; set; }

        public bool Garbled { get; set; }

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        public static async Task<LedgerNode> StartAsync(LedgerLog log, LedgerKey key)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var node = new LedgerNode(app, log);
            app.Use(async (context, next) =>
            {
                if (node.Broken)
                {
                    context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                    await context.Response.WriteAsJsonAsync(new { title = "Service unavailable", detail = "the ledger is being restored" }, options: null, contentType: "application/problem+json");
                    return;
                }

                await next(context);
            });
            app.MapGet("/api/v1/ledger/public-key", () => Results.Text(key.ExportPublicKeyPem(), "application/x-pem-file"));
            app.MapGet("/api/v1/ledger/tree-head", () => Results.Text(node.Garbled ? "{\"treeSize\": \"many\"}" : key.Sign(node.Log.Head, DateTimeOffset.UtcNow).ToJson(), "application/json"));
            app.MapGet("/api/v1/ledger/consistency", (ulong fromSize, ulong toSize) => Results.Text(node.Log.ProveConsistency(fromSize, toSize).ToJson(), "application/json"));
            await app.StartAsync();
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
