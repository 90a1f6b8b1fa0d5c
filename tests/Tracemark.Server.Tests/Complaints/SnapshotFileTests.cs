using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Blobs;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// A listing's snapshot is downloadable by the notice's parties whichever way it is stored (in its blob row when
/// short, as a file when long), byte for byte, and by no one else.
/// </summary>
public sealed class SnapshotFileTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_short_and_a_long_snapshot_download_byte_for_byte_for_both_parties_and_not_for_a_stranger()
    {
        var world = await CreateAsync(factory);
        var stranger = await ActorAsync(factory, OrganisationKind.RightsHolder);
        var shortText = $"{world.Mark} 羽绒服 高仿 原单 short {Guid.NewGuid():N}";
        var longText = $"{world.Mark} 羽绒服 long {Guid.NewGuid():N} " + new string('x', BlobStore.InlineLimit);
        Assert.True(Encoding.UTF8.GetByteCount(longText) > BlobStore.InlineLimit);

        await using var connection = await factory.OpenOwnerConnectionAsync();
        foreach (var (text, inline) in new[] { (shortText, true), (longText, false) })
        {
            var filed = await world.FileAsync(world.Notice("snap-" + Guid.NewGuid().ToString("N")[..8], snapshot: text));
            var sha = filed.GetProperty("listings")[0].GetProperty("snapshotSha256").GetString()!;
            var bytes = Encoding.UTF8.GetBytes(text);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha);
            Assert.Equal(inline, await connection.ExecuteScalarAsync<bool>("SELECT content IS NOT NULL FROM blobs WHERE sha256 = @sha", new { sha }));

            var path = $"/api/v1/complaints/notices/{Id(filed)}/files/{sha}";
            foreach (var client in new[] { world.Holder.Client, world.Platform.Client })
            {
                using var response = await client.GetAsync(path, Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(Ct));
            }

            using var refused = await stranger.Client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
    }
}
