using System.Net;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tracemark.Server.Complaints;
using Tracemark.Server.Platform.Idempotency;
using Tracemark.Server.Platform.Security;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;
using static Tracemark.Server.Tests.Complaints.NoticeFlowTests;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// The intake's writer thread: a batch that fails as a whole is filed again one by one, each filing with its own
/// answer, and stopping the intake ends the thread and the requests still waiting. (A class of its own: the failed
/// batch shows in the intake's count, which the batch tests expect to stay at zero.)
/// </summary>
public sealed class IntakeWriterTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private const string Path = "/api/v1/complaints/notices";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_whose_key_another_transaction_takes_meanwhile_is_filed_again_one_by_one()
    {
        var world = await CreateAsync(factory, "CN");
        var intake = factory.Services.GetRequiredService<FilingIntake>();

        // The holder's principal, as its keyed requests are stored.
        var first = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(world.Holder.Client, Path, world.Notice("meanwhile-0"), first)).StatusCode);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        var principal = await owner.ExecuteScalarAsync<string>(
            "SELECT principal FROM idempotency_keys WHERE organisation_id = @organisation AND key = @first", new { organisation = world.Holder.Id, first });

        // Another transaction takes a key of the batch and commits only once the batch, which looked before, waits to claim it.
        var taken = Guid.NewGuid().ToString();
        await using var other = await owner.BeginTransactionAsync(Ct);
        await owner.ExecuteAsync(
            """
            INSERT INTO idempotency_keys (organisation_id, principal, key, method, path, request_sha256, status, content_type, response, created_at, expires_at)
            VALUES (@organisation, @principal, @taken, 'POST', @path, @sha, 201, 'application/json', '\x00'::bytea, now(), now() + interval '1 day')
            """,
            new { organisation = world.Holder.Id, principal, taken, path = Path, sha = new byte[32] },
            other);
        var failedBefore = intake.BatchesFiledOneByOne;
        var sent = new List<Task<HttpResponseMessage>>();
        await using (await intake.HoldAsync(Ct))
        {
            sent.Add(SendAsync(world.Holder.Client, Path, world.Notice("meanwhile-1"), taken));
            await WaitUntilAsync(() => intake.Waiting == 1);
            sent.Add(SendAsync(world.Holder.Client, Path, world.Notice("meanwhile-2"), Guid.NewGuid().ToString()));
            await WaitUntilAsync(() => intake.Waiting == 2);
        }

        await using (var watcher = await factory.OpenOwnerConnectionAsync())
        {
            await WaitUntilAsync(() => watcher.ExecuteScalar<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO idempotency_keys AS k%'") > 0);
        }

        await other.CommitAsync(Ct);
        var responses = await Task.WhenAll(sent);

        Assert.Equal(failedBefore + 1, intake.BatchesFiledOneByOne);
        var problem = await ProblemAsync(responses[0], HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency.key_reused", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Created, responses[1].StatusCode);

        // Nothing of the failed batch was kept: one notice for the second filing (filed alone), none for the first.
        foreach (var (listing, count) in new[] { ("meanwhile-1", 0L), ("meanwhile-2", 1L) })
        {
            Assert.Equal(count, await owner.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM complaint_notice_listings l JOIN complaint_notices n ON n.id = l.notice_id WHERE n.complainant_org_id = @holder AND l.listing_ref = @listing",
                new { holder = world.Holder.Id, listing }));
        }
    }

    [Fact]
    public async Task Stopping_ends_the_writer_threads_and_the_filings_still_waiting()
    {
        var intake = NewIntake();
        Assert.Equal(3, intake.Writers);
        await intake.StartAsync(Ct);
        await WaitUntilAsync(() => intake.WritersRunning == intake.Writers);
        Task<IdempotentAnswer> waiting;
        await using (await intake.HoldAsync(Ct))
        {
            // The writers wake for the filing and wait for the hold; the filing stays in the queue.
            waiting = intake.FileAsync(Filing(), Caller.Anonymous, null, Ct);
            await Task.Delay(100, Ct);
            Assert.Equal(1, intake.Waiting);
            await intake.StopAsync(Ct);
        }

        Assert.Equal(0, intake.WritersRunning);
        Assert.True(intake.ExecuteTask!.IsCompletedSuccessfully, $"{intake.ExecuteTask.Status} {intake.ExecuteTask.Exception}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, intake.Waiting);

        // An idle writer, waiting on the empty queue, stops too.
        var idle = NewIntake();
        await idle.StartAsync(Ct);
        await WaitUntilAsync(() => idle.WritersRunning == idle.Writers);
        await idle.StopAsync(Ct);
        Assert.Equal(0, idle.WritersRunning);
        Assert.True(idle.ExecuteTask!.IsCompletedSuccessfully, $"{idle.ExecuteTask.Status} {idle.ExecuteTask.Exception}");
    }

    private FilingIntake NewIntake()
    {
        var services = factory.Services;
        return new FilingIntake(
            services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>(),
            services.GetRequiredService<IConfiguration>(),
            NullLogger<FilingIntake>.Instance);
    }

    private static NewNotice Filing() => new(null, null, null, null, null, null, null, null, null, null, null);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; !condition(); attempt++)
        {
            Assert.True(attempt < 250, "The intake did not get there within five seconds.");
            await Task.Delay(20, Ct);
        }
    }
}
