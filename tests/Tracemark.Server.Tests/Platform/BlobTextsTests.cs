using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Tests.Rights;

namespace Tracemark.Server.Tests.Platform;

/// <summary>
/// Server-written texts: short ones kept in their row, longer ones as files; a batch's answers each belong to their
/// own text, whichever kind it is.
/// </summary>
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
        var infos = await PutCommittedAsync(writer, texts);

        Assert.Equal(texts.Count, infos.Count);
        using var scope2 = factory.Services.CreateScope();
        var store = scope2.ServiceProvider.GetRequiredService<BlobStore>();
        for (var i = 0; i < texts.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(texts[i]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), infos[i].Sha256);
            Assert.Equal(bytes.Length, infos[i].Size);
            Assert.Equal(texts[i], await ReadAsync(store, infos[i].Sha256));
        }

        // One row per distinct text, each holding its bytes (short texts need no file), and no file at all for them.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var distinct = texts.Distinct(StringComparer.Ordinal).Select(t => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(t)))).ToArray();
        Assert.Equal(distinct.Length, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM blobs WHERE sha256 = ANY (@distinct) AND content IS NOT NULL", new { distinct }));
        Assert.All(distinct, sha => Assert.False(File.Exists(PathOf(store, sha))));
        var temporary = Path.Combine(store.Root, "tmp");
        Assert.True(!Directory.Exists(temporary) || Directory.GetFiles(temporary).Length == 0);
    }

    [Fact]
    public async Task A_text_up_to_the_limit_is_kept_in_its_row_and_one_byte_more_is_a_file_counting_bytes_not_characters()
    {
        var writer = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var run = Guid.NewGuid().ToString("N");
        var atLimit = Sized(run, BlobStore.InlineLimit, 'a');
        var overLimit = Sized(run, BlobStore.InlineLimit + 1, 'b');

        // Fewer characters than the limit, but three bytes each in UTF-8: over the limit, so a file.
        var wide = run + new string('羽', BlobStore.InlineLimit / 3);
        Assert.True(wide.Length < BlobStore.InlineLimit && Encoding.UTF8.GetByteCount(wide) > BlobStore.InlineLimit);
        string[] texts = [atLimit, overLimit, wide];

        var infos = await PutCommittedAsync(writer, texts);

        var store = factory.Services.GetRequiredService<BlobStore>();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        for (var i = 0; i < texts.Length; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(texts[i]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), infos[i].Sha256);
            Assert.Equal(bytes.Length, infos[i].Size);
            Assert.Equal(MediaTypes.PlainText, infos[i].MediaType);
            var inline = i == 0;
            var row = await connection.QuerySingleAsync<(long Size, string MediaType, byte[]? Content)>(
                "SELECT size, media_type, content FROM blobs WHERE sha256 = @sha", new { sha = infos[i].Sha256 });
            Assert.Equal(bytes.Length, row.Size);
            Assert.Equal(MediaTypes.PlainText, row.MediaType);
            if (inline)
            {
                Assert.Equal(bytes, row.Content);
            }
            else
            {
                Assert.Null(row.Content);
            }

            Assert.Equal(!inline, File.Exists(PathOf(store, infos[i].Sha256)));
            Assert.Equal(texts[i], await ReadAsync(store, infos[i].Sha256));
        }
    }

    [Fact]
    public async Task A_short_text_whose_transaction_rolls_back_leaves_nothing_and_cannot_be_read()
    {
        var writer = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var text = $"rolled back {Guid.NewGuid():N}";
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Db>();
            var blobs = scope.ServiceProvider.GetRequiredService<BlobStore>();
            await using var tx = await db.BeginAsync(new Caller { OrganisationId = writer, OrganisationKind = OrganisationKind.RightsHolder }, _ct);
            Assert.Equal(sha, (await blobs.PutTextAsync(tx, text, _ct)).Sha256);

            // Disposed without commit.
        }

        var store = factory.Services.GetRequiredService<BlobStore>();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM blobs WHERE sha256 = @sha", new { sha }));
        Assert.False(File.Exists(PathOf(store, sha)));
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync(sha, _ct));
    }

    [Fact]
    public async Task A_caller_sees_what_a_blob_is_but_cannot_read_its_content_by_query()
    {
        var writer = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var text = $"not for a query {Guid.NewGuid():N}";
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        var blobs = scope.ServiceProvider.GetRequiredService<BlobStore>();
        var caller = new Caller { OrganisationId = writer, OrganisationKind = OrganisationKind.RightsHolder };
        string sha;
        await using (var tx = await db.BeginAsync(caller, _ct))
        {
            sha = (await blobs.PutTextAsync(tx, text, _ct)).Sha256;
            await tx.CommitAsync(_ct);
        }

        await using (var tx = await db.BeginAsync(caller, _ct))
        {
            var info = await blobs.FindAsync(tx, sha, _ct);
            Assert.Equal(new BlobInfo(sha, Encoding.UTF8.GetByteCount(text), MediaTypes.PlainText), info);
        }

        await using (var tx = await db.BeginAsync(caller, _ct))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => tx.ExecuteScalarAsync<byte[]>("SELECT content FROM blobs WHERE sha256 = @sha", new { sha }, _ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    private async Task<IReadOnlyList<BlobInfo>> PutCommittedAsync(Guid writer, IReadOnlyList<string> texts)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        var blobs = scope.ServiceProvider.GetRequiredService<BlobStore>();
        await using var tx = await db.BeginAsync(new Caller { OrganisationId = writer, OrganisationKind = OrganisationKind.RightsHolder }, _ct);
        var infos = await blobs.PutTextsAsync(tx, texts, _ct);
        await tx.CommitAsync(_ct);
        return infos;
    }

    private static string Sized(string prefix, int bytes, char fill) => prefix + new string(fill, bytes - prefix.Length);

    private static string PathOf(BlobStore store, string sha) => Path.Combine(store.Root, sha[..2], sha[2..4], sha);

    private async Task<string> ReadAsync(BlobStore store, string sha)
    {
        await using var read = await store.OpenReadAsync(sha, _ct);
        using var reader = new StreamReader(read, Encoding.UTF8);
        return await reader.ReadToEndAsync(_ct);
    }
}
