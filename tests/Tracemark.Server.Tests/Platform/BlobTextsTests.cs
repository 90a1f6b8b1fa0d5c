using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Tests.Rights;

namespace Tracemark.Server.Tests.Platform;

/// <summary>A batch's snapshot texts are written side by side: each answer still belongs to its own text.</summary>
public sealed class BlobTextsTests(QuietFactory factory) : IClassFixture<QuietFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Texts_written_at_once_answer_in_their_order_with_repeats_stored_once_and_readable()
    {
        var writer = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var run = Guid.NewGuid().ToString("N");

        // More texts than are written at once, repeats among them (a repeat may race its twin to the same name),
        // Chinese and full-width text, so that an answer out of place or a lost twin shows.
        var texts = Enumerable.Range(0, 40)
            .Select(i => (i % 7) switch
            {
                0 => $"耐克 正品 {run} {i % 3}",
                1 => $"ＮＩＫＥ ｓｈｏｅｓ {run} {i}",
                _ => $"listing {run} number {i % 11}",
            })
            .ToList();
        IReadOnlyList<BlobInfo> infos;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Db>();
            var blobs = scope.ServiceProvider.GetRequiredService<BlobStore>();
            await using var tx = await db.BeginAsync(new Caller { OrganisationId = writer, OrganisationKind = OrganisationKind.RightsHolder }, _ct);
            infos = await blobs.PutTextsAsync(tx, texts, _ct);
            await tx.CommitAsync(_ct);
        }

        Assert.Equal(texts.Count, infos.Count);
        using var scope2 = factory.Services.CreateScope();
        var store = scope2.ServiceProvider.GetRequiredService<BlobStore>();
        for (var i = 0; i < texts.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(texts[i]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), infos[i].Sha256);
            Assert.Equal(bytes.Length, infos[i].Size);
            await using var read = store.OpenRead(infos[i].Sha256);
            using var reader = new StreamReader(read, Encoding.UTF8);
            Assert.Equal(texts[i], await reader.ReadToEndAsync(_ct));
        }

        // One row per distinct text, and no temporary file left behind.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var distinct = texts.Distinct(StringComparer.Ordinal).Select(t => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(t)))).ToArray();
        Assert.Equal(distinct.Length, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM blobs WHERE sha256 = ANY (@distinct)", new { distinct }));
        var temporary = Path.Combine(store.Root, "tmp");
        Assert.True(!Directory.Exists(temporary) || Directory.GetFiles(temporary).Length == 0);
    }
}
