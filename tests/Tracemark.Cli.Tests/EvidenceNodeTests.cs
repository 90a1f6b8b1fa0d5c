using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Tracemark.Server.Accounts;

namespace Tracemark.Cli.Tests;

/// <summary>
/// A real node (`tracemark serve` in its own process, over a test database): evidence uploaded through the API is
/// verified by the real `tracemark verify`, and a node killed with SIGKILL between appending a leaf and recording it
/// comes back consistent: the acknowledged leaves intact, the unacknowledged ones reported, no gap, nothing doubled.
/// </summary>
public sealed class EvidenceNodeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracemark-evidence-node-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_receipt_downloaded_from_the_node_verifies_with_the_real_command_and_any_tampering_fails_it()
    {
        var (database, key, _) = await OrganisationWithKeyAsync();
        await using var node = await Node.StartAsync(database, Path.Combine(_folder, "data"), _ct);
        using var api = node.Client(key);
        var evidence = Path.Combine(_folder, "seized.png");
        await File.WriteAllBytesAsync(evidence, TestImages.Png(200, 30, 30, width: 17), _ct);

        var sha = await UploadAsync(api, evidence);
        var receipt = await DownloadReceiptAsync(api, sha, Path.Combine(_folder, "receipt.json"));
        var publicKey = Path.Combine(_folder, "node-key.pem");
        await File.WriteAllTextAsync(publicKey, await api.GetStringAsync("/api/v1/ledger/public-key", _ct), _ct);

        var verified = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", evidence, "--public-key", publicKey]);
        Assert.True(verified.ExitCode == 0, verified.Error + verified.Output);
        Assert.Contains("Verified: every check above holds.", verified.Output, StringComparison.Ordinal);
        Assert.Contains("collected of evidence " + sha, verified.Output, StringComparison.Ordinal);

        var changed = Path.Combine(_folder, "changed.png");
        var bytes = await File.ReadAllBytesAsync(evidence, _ct);
        bytes[^5] ^= 0x01;
        await File.WriteAllBytesAsync(changed, bytes, _ct);
        var changedFile = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", changed, "--public-key", publicKey]);
        Assert.Equal(1, changedFile.ExitCode);
        Assert.StartsWith("tracemark: verification failed: file:", Assert.Single(changedFile.ErrorLines), StringComparison.Ordinal);

        var forged = Path.Combine(_folder, "forged.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(receipt, _ct))!;
        json["sth"]!["timestamp"] = json["sth"]!["timestamp"]!.GetValue<long>() + 1;
        await File.WriteAllTextAsync(forged, json.ToJsonString(), _ct);
        var forgedHead = await CliProcess.RunAsync(["verify", "--receipt", forged, "--file", evidence, "--public-key", publicKey]);
        Assert.Equal(1, forgedHead.ExitCode);
        Assert.StartsWith("tracemark: verification failed: signature:", Assert.Single(forgedHead.ErrorLines), StringComparison.Ordinal);

        // Later, with more leaves: the node's log still extends the one the receipt was signed over.
        await UploadAsync(api, await WritePictureAsync("later.png"));
        await WaitForSignedSizeAsync(api, JsonNode.Parse(await File.ReadAllTextAsync(receipt, _ct))!["treeSize"]!.GetValue<ulong>() + 2);
        var consistent = await CliProcess.RunAsync(["verify", "--old", receipt, "--server", node.Url, "--public-key", publicKey]);
        Assert.True(consistent.ExitCode == 0, consistent.Error + consistent.Output);
        Assert.Contains("ok    consistency", consistent.Output, StringComparison.Ordinal);
        var both = await CliProcess.RunAsync(["verify", "--receipt", receipt, "--file", evidence, "--server", node.Url]);
        Assert.True(both.ExitCode == 0, both.Error + both.Output);
    }

    [Fact]
    public async Task Killed_between_appending_and_recording_the_node_restarts_consistent_and_reports_the_unacknowledged_leaves()
    {
        var (database, key, organisation) = await OrganisationWithKeyAsync();
        var data = Path.Combine(_folder, "data");
        string receiptBefore;
        string acknowledged;
        await using (var node = await Node.StartAsync(database, data, _ct))
        {
            using var api = node.Client(key);
            acknowledged = await UploadAsync(api, await WritePictureAsync("acknowledged.png"));
            receiptBefore = await DownloadReceiptAsync(api, acknowledged, Path.Combine(_folder, "before.json"));
            await node.StopAsync();
        }

        // The hook stops the node right after the leaves of the next upload are durable, before their rows are written.
        var held = Path.Combine(_folder, "held-at");
        string lost;
        await using (var node = await Node.StartAsync(database, data, _ct, new Dictionary<string, string?> { ["Tracemark__TestHooks__HoldAfterLedgerAppend"] = held }))
        {
            using var api = node.Client(key);
            var picture = await WritePictureAsync("lost.png");
            lost = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(picture, _ct)));
            var upload = UploadAsync(api, picture);
            var waited = Stopwatch.StartNew();
            while (!File.Exists(held) && waited.Elapsed < TimeSpan.FromSeconds(30) && !upload.IsCompleted)
            {
                await Task.Delay(50, _ct);
            }

            Assert.Equal("2", await File.ReadAllTextAsync(held, _ct));
            node.KillHard();
            await Assert.ThrowsAnyAsync<Exception>(() => upload);
        }

        await using (var node = await Node.StartAsync(database, data, _ct))
        {
            using var api = node.Client(key);
            await using var owner = new NpgsqlConnection(database);
            Assert.Equal(
                ["2:collected:found_at_startup", "3:uploaded:found_at_startup"],
                await owner.QueryAsync<string>("SELECT leaf_index || ':' || kind || ':' || reason FROM ledger_unrecorded_leaves WHERE evidence_sha256 = @lost AND organisation_id = @organisation ORDER BY leaf_index", new { lost, organisation }));
            Assert.Equal(0, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM evidence_items WHERE sha256 = @lost", new { lost }));
            Assert.Equal(2, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'ledger.leaf_unrecorded' AND record_owner_id = @organisation", new { organisation }));
            Assert.Equal([0L, 1L], await owner.QueryAsync<long>("SELECT c.leaf_index FROM custody_events c JOIN evidence_items e ON e.id = c.evidence_id WHERE e.sha256 = @acknowledged ORDER BY 1", new { acknowledged }));

            // The next leaves follow the unrecorded ones: no gap, nothing doubled, and the log only grew.
            var next = await UploadAsync(api, await WritePictureAsync("next.png"));
            Assert.Equal([4L, 5L], await owner.QueryAsync<long>("SELECT c.leaf_index FROM custody_events c JOIN evidence_items e ON e.id = c.evidence_id WHERE e.sha256 = @next ORDER BY 1", new { next }));
            await WaitForSignedSizeAsync(api, 6);
            var consistent = await CliProcess.RunAsync(["verify", "--old", receiptBefore, "--server", node.Url]);
            Assert.True(consistent.ExitCode == 0, consistent.Error + consistent.Output);
            await node.StopAsync();
            Assert.Contains("is in the log but was never recorded", await node.OutputAsync(), StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(string Database, string Key, Guid Organisation)> OrganisationWithKeyAsync()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync("cli_evidence");
        var organisation = Guid.CreateVersion7();
        var (prefix, secret, key) = ApiKeyFormat.Generate();
        await using var connection = new NpgsqlConnection(database);
        await connection.ExecuteAsync(
            """
            INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country) VALUES (@organisation, (SELECT id FROM nodes WHERE is_local), 'customs', @name, '命令行海关', 'CN');
            INSERT INTO api_keys (id, organisation_id, name, prefix, secret_hash, scopes, expires_at) VALUES (@keyId, @organisation, 'cli', @prefix, @hash, ARRAY['read', 'write'], now() + interval '1 day');
            """,
            new { organisation, name = "CLI customs " + organisation.ToString("N"), keyId = Guid.CreateVersion7(), prefix, hash = ApiKeyFormat.Hash(secret) });
        return (database, key, organisation);
    }

    private async Task<string> WritePictureAsync(string name)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllBytesAsync(path, TestImages.Png((byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), 7, width: Random.Shared.Next(3, 40)), _ct);
        return path;
    }

    private async Task<string> UploadAsync(HttpClient api, string file)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(file, _ct)), "file", Path.GetFileName(file) },
            { new StringContent("Officer Lin"), "collectedBy" },
            { new StringContent(DateTimeOffset.UtcNow.AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture)), "collectedAt" },
        };
        using var response = await api.PostAsync("/api/v1/evidence", form, _ct);
        var body = await response.Content.ReadAsStringAsync(_ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var created = JsonDocument.Parse(body);
        return created.RootElement.GetProperty("sha256").GetString()!;
    }

    /// <summary>Asks for the receipt until a signed tree head covers the evidence (the node signs within 10 s).</summary>
    private async Task<string> DownloadReceiptAsync(HttpClient api, string sha256, string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var response = await api.GetAsync($"/api/v1/evidence/{sha256}/receipt", _ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await File.WriteAllTextAsync(path, await response.Content.ReadAsStringAsync(_ct), _ct);
                return path;
            }

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "no signed tree head within 10 s");
            await Task.Delay(200, _ct);
        }
    }

    private async Task WaitForSignedSizeAsync(HttpClient api, ulong size)
    {
        var waited = Stopwatch.StartNew();
        while (JsonNode.Parse(await api.GetStringAsync("/api/v1/ledger/tree-head", _ct))!["treeSize"]!.GetValue<ulong>() < size)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"no tree head of {size} leaves within 10 s");
            await Task.Delay(200, _ct);
        }
    }

    /// <summary>`tracemark serve` over an existing database, on a free loopback port.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly Task<string> _errors;

        private Node(Process process, string url)
        {
            _process = process;
            Url = url;
            _output = process.StandardOutput.ReadToEndAsync();
            _errors = process.StandardError.ReadToEndAsync();
        }

        public string Url { get; }

        public static async Task<Node> StartAsync(string database, string data, CancellationToken cancellationToken, IDictionary<string, string?>? extra = null)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            var environment = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
            {
                ["TRACEMARK_DATABASE"] = database,
                ["TRACEMARK_DATA"] = data,
                ["TRACEMARK_URLS"] = url,
            };
            var node = new Node(CliProcess.Start(["serve"], environment), url);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(90))
            {
                if (node._process.HasExited)
                {
                    Assert.Fail("the node exited before it was healthy: " + await node._errors + await node._output);
                }

                try
                {
                    if ((await http.GetAsync(url + "/healthz", cancellationToken)).StatusCode == HttpStatusCode.OK)
                    {
                        return node;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }

                await Task.Delay(200, cancellationToken);
            }

            await node.DisposeAsync();
            throw new TimeoutException("the node was not healthy within 90 s");
        }

        public HttpClient Client(string apiKey)
        {
            var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            return client;
        }

        public async Task StopAsync()
        {
            CliProcess.Terminate(_process);
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(stopped.Token);
        }

        /// <summary>SIGKILL, as kill -9 sends: no shutdown code runs.</summary>
        public void KillHard() => _process.Kill(entireProcessTree: false);

        public async Task<string> OutputAsync() => await _output + await _errors;

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
