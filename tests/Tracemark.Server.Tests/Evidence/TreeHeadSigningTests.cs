using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Tracemark.Core.Organisations;
using Tracemark.Ledger;
using Tracemark.Server.Evidence;
using Tracemark.Server.Platform.Hosting;
using static Tracemark.Server.Tests.Evidence.EvidenceWorld;

namespace Tracemark.Server.Tests.Evidence;

/// <summary>The node's signer as it runs (every second of the application's clock) and the key it signs with.</summary>
public sealed class TreeHeadSigningTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracemark-key-tests-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task New_leaves_are_under_a_signed_tree_head_within_ten_seconds()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var anonymous = factory.CreateClient();
        var evidence = await UploadAsync(customs.Client, UniquePicture());
        var last = (ulong)evidence.LeafIndices()[^1];
        using var key = LedgerKey.FromPem(await anonymous.GetStringAsync("/api/v1/ledger/public-key", _ct));

        var watch = Stopwatch.StartNew();
        SignedTreeHead head;
        do
        {
            head = SignedTreeHead.FromJson(await anonymous.GetStringAsync("/api/v1/ledger/tree-head", _ct));
            if (head.TreeSize > last)
            {
                break;
            }

            await Task.Delay(100, _ct);
        }
        while (watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(head.TreeSize > last, $"no tree head covered leaf {last} within {watch.Elapsed}");
        Assert.True(key.Verify(head).IsValid);

        // Signed at the application's clock, which the tests hold still.
        Assert.Equal(factory.Clock.GetUtcNow(), head.Timestamp);
    }

    [Fact]
    public async Task The_key_is_created_in_the_data_folder_readable_by_the_server_only_and_served_as_PEM()
    {
        var path = Path.Combine(factory.DataFolder, LedgerKeyFile.DefaultName);
        var served = await factory.CreateClient().GetStringAsync("/api/v1/ledger/public-key", _ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var stored = LedgerKey.FromPem(await File.ReadAllTextAsync(path, _ct));
        Assert.True(stored.CanSign);
        Assert.Equal(stored.ExportPublicKeyPem(), served);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", served, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_key_is_used_and_one_that_cannot_sign_is_refused_in_one_line()
    {
        using var key = LedgerKey.Generate();
        var privateKey = Path.Combine(_folder, "node.pem");
        var publicKey = Path.Combine(_folder, "public.pem");
        File.WriteAllText(privateKey, key.ExportPrivateKeyPem());
        File.WriteAllText(publicKey, key.ExportPublicKeyPem());
        TracemarkSettings Settings(string? file) => new() { DataFolder = Path.Combine(_folder, "data"), Urls = "http://127.0.0.1:0", LedgerKeyFile = file };

        using (var loaded = LedgerKeyFile.Load(Settings(privateKey), NullLogger.Instance))
        {
            Assert.Equal(key.Fingerprint, loaded.Fingerprint);
        }

        Assert.Contains("public key only", Assert.Throws<StartupException>(() => LedgerKeyFile.Load(Settings(publicKey), NullLogger.Instance)).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<StartupException>(() => LedgerKeyFile.Load(Settings(Path.Combine(_folder, "missing.pem")), NullLogger.Instance)).Message, StringComparison.Ordinal);
        File.WriteAllText(publicKey, "not a key");
        Assert.Contains("cannot use", Assert.Throws<StartupException>(() => LedgerKeyFile.Load(Settings(publicKey), NullLogger.Instance)).Message, StringComparison.Ordinal);

        // Without a setting: created on first use, the same key afterwards.
        using var created = LedgerKeyFile.Load(Settings(null), NullLogger.Instance);
        using var again = LedgerKeyFile.Load(Settings(null), NullLogger.Instance);
        Assert.Equal(created.Fingerprint, again.Fingerprint);
        Assert.NotEqual(key.Fingerprint, created.Fingerprint);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
