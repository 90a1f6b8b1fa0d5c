using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using Tracemark.Server.Notifications;
using Tracemark.Server.Notifications.Webhooks;
using Tracemark.Server.Platform.Idempotency;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;
using static Tracemark.Server.Tests.Complaints.NoticeFlowTests;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>The machine API's edges: webhooks signed and retried with backoff, Idempotency-Key, and bad input refused with nothing half-written.</summary>
public sealed class NoticeApiEdgeTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_state_change_reaches_the_platforms_webhook_signed_and_a_failing_endpoint_is_retried_with_backoff()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var set = await admin.PutAsync("/api/v1/webhooks", Json(new { url = "https://hooks.platform.test/tracemark", events = Array.Empty<string>() }), Ct);
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(Ct));
        var secret = (await set.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        // The secret is shown once.
        var again = await GetAsync(admin, "/api/v1/webhooks");
        Assert.False(again.TryGetProperty("secret", out var shown) && shown.ValueKind == JsonValueKind.String);

        while (factory.Receiver.Received.TryDequeue(out _))
        {
        }

        var id = Id(await world.FileAsync(world.Notice("hook-1")));
        await factory.DispatchAsync();
        var (url, body, headers) = Assert.Single(factory.Receiver.Received, r => r.Body.Contains(id, StringComparison.Ordinal));
        Assert.Equal("https://hooks.platform.test/tracemark", url);
        Assert.Equal("complaint.filed", headers[WebhookSignature.EventHeader]);
        var signature = headers[WebhookSignature.Header];
        Assert.True(WebhookSignature.Verify(secret, signature, Encoding.UTF8.GetBytes(body), factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));

        // A body changed in transit, a wrong secret, or an old timestamp do not verify.
        Assert.False(WebhookSignature.Verify(secret, signature, Encoding.UTF8.GetBytes(body.Replace(id, Guid.NewGuid().ToString(), StringComparison.Ordinal)), factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", signature, Encoding.UTF8.GetBytes(body), factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, signature, Encoding.UTF8.GetBytes(body), factory.Clock.GetUtcNow().AddHours(1), TimeSpan.FromMinutes(5)));
        var payload = JsonDocument.Parse(body).RootElement;
        Assert.Equal("complaint.filed", payload.GetProperty("type").GetString());
        Assert.Equal(id, payload.GetProperty("subject").GetProperty("id").GetString());

        // The endpoint fails twice: the decision's event is retried after 1, then 2 more minutes, with the same delivery id.
        factory.Receiver.FailuresLeft = 2;
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
        await factory.DispatchAsync();
        Assert.Equal(1, Attempts("complaint.measure_taken"));
        await factory.DispatchAsync();
        Assert.Equal(1, Attempts("complaint.measure_taken"));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await factory.DispatchAsync();
        Assert.Equal(2, Attempts("complaint.measure_taken"));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await factory.DispatchAsync();
        Assert.Equal(2, Attempts("complaint.measure_taken"));
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await factory.DispatchAsync();
        Assert.Equal(3, Attempts("complaint.measure_taken"));
        var deliveries = factory.Receiver.Received.Where(r => r.Headers[WebhookSignature.EventHeader] == "complaint.measure_taken").ToList();
        Assert.Single(deliveries.Select(d => d.Headers[WebhookSignature.DeliveryHeader]).Distinct());

        // Delivered now: no more attempts.
        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        await factory.DispatchAsync();
        Assert.Equal(3, Attempts("complaint.measure_taken"));

        // The log shows the two failures and the success to the platform's administrators.
        var log = await GetAsync(admin, "/api/v1/webhooks/deliveries");
        var statuses = log.GetProperty("items").EnumerateArray().Where(d => d.GetProperty("event").GetString() == "complaint.measure_taken").Select(d => d.GetProperty("statusCode").GetInt32()).ToList();
        Assert.Equal([204, 500, 500], statuses);

        int Attempts(string kind) => factory.Receiver.Received.Count(r => r.Headers[WebhookSignature.EventHeader] == kind && r.Body.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_webhook_gets_only_the_events_it_asked_for_and_a_dead_endpoint_is_given_up_after_ten_attempts()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var set = await admin.PutAsync("/api/v1/webhooks", Json(new { url = "https://hooks.platform.test/decisions", events = new[] { "complaint.measure_taken" } }), Ct);
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(Ct));
        while (factory.Receiver.Received.TryDequeue(out _))
        {
        }

        // Filing is not one of the events asked for: nothing is sent.
        var id = Id(await world.FileAsync(world.Notice("hook-filter-1")));
        await factory.DispatchAsync();
        Assert.Equal(0, Attempts());

        // The decision is, but the endpoint never answers well: ten attempts with growing waits, then no more.
        factory.Receiver.FailuresLeft = 1_000;
        try
        {
            await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
            await factory.DispatchAsync();
            Assert.Equal(1, Attempts());
            for (var attempt = 2; attempt <= NotificationDispatcher.MaxAttempts; attempt++)
            {
                factory.Clock.Advance(NotificationDispatcher.Backoff(attempt - 1) - TimeSpan.FromSeconds(30));
                await factory.DispatchAsync();
                Assert.Equal(attempt - 1, Attempts());
                factory.Clock.Advance(TimeSpan.FromSeconds(31));
                await factory.DispatchAsync();
                Assert.Equal(attempt, Attempts());
            }

            factory.Clock.Advance(TimeSpan.FromDays(2));
            await factory.DispatchAsync();
            Assert.Equal(NotificationDispatcher.MaxAttempts, Attempts());
        }
        finally
        {
            factory.Receiver.FailuresLeft = 0;
        }

        // Days went by on the clock, so the administrator's session has ended: signed in again to read the log.
        var later = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var log = await GetAsync(later, "/api/v1/webhooks/deliveries");
        var failures = log.GetProperty("items").EnumerateArray().Count(d => d.GetProperty("event").GetString() == "complaint.measure_taken" && d.GetProperty("statusCode").GetInt32() == 500);
        Assert.Equal(NotificationDispatcher.MaxAttempts, failures);

        int Attempts() => factory.Receiver.Received.Count(r => r.Body.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_Idempotency_Key_replays_the_answer_and_with_another_body_is_refused()
    {
        var world = await CreateAsync(factory, "CN");
        var key = Guid.NewGuid().ToString();
        var notice = world.Notice("idem-1");
        var first = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", notice, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync(Ct);

        var replay = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", notice, key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.True(replay.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true");
        Assert.Equal(1, await NoticesAsync(world.Holder.Id));

        // Same key, another body: refused, naming the header, and nothing filed.
        var changed = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("idem-2"), key);
        var problem = await ProblemAsync(changed, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency.key_reused", problem.GetProperty("code").GetString());
        Assert.Equal(1, await NoticesAsync(world.Holder.Id));

        // In Chinese too.
        using var zh = new HttpRequestMessage(HttpMethod.Post, "/api/v1/complaints/notices") { Content = Json(world.Notice("idem-3")) };
        zh.Headers.Add("Idempotency-Key", key);
        zh.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var zhProblem = await ProblemAsync(await world.Holder.Client.SendAsync(zh, Ct), HttpStatusCode.UnprocessableEntity);
        Assert.Contains(zhProblem.GetProperty("title").GetString()!, c => c is >= '\u4E00' and <= '\u9FFF');

        // Without a key, or with a bad one: 400 naming the header.
        var none = await world.Holder.Client.PostAsync("/api/v1/complaints/notices", Json(world.Notice("idem-4")), Ct);
        await AssertFieldErrorAsync(none, "Idempotency-Key", "idempotency.key_required");
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("idem-4"), "bad key with spaces"), "Idempotency-Key", "idempotency.key_invalid");

        // A refused request does not use its key up: corrected, it runs.
        var badKey = Guid.NewGuid().ToString();
        var refused = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", new { platformId = world.Platform.Id }, badKey);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("idem-5"), badKey)).StatusCode);
        Assert.Equal(2, await NoticesAsync(world.Holder.Id));

        // Actions are keyed too: a retried decision does not decide twice.
        var id = Id(JsonDocument.Parse(firstBody).RootElement);
        var decisionKey = Guid.NewGuid().ToString();
        var decision = new { measure = "remove", reasons = "Counterfeit." };
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", decision, decisionKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", decision, decisionKey)).StatusCode);
        var read = await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}");
        Assert.Single(Timeline(read), a => a == "take_measure");

        // Past its retention a key is free again, also before the hourly clearing has removed it (the
        // application's role may not delete keys: the key is taken over in place).
        factory.Clock.Advance(IdempotencySetup.Retention + TimeSpan.FromMinutes(1));
        var reused = await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/seller-link", new { }, decisionKey);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.False(reused.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/seller-link", new { }, decisionKey)).StatusCode);
        Assert.Equal(
            "idempotency.key_reused",
            (await ProblemAsync(await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", decision, decisionKey), HttpStatusCode.UnprocessableEntity)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_file_one_notice_and_all_get_its_answer()
    {
        var world = await CreateAsync(factory, "CN");
        var key = Guid.NewGuid().ToString();
        var notice = world.Notice("race-1");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SendAsync(world.Holder.Client, "/api/v1/complaints/notices", notice, key)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync(Ct)));
        Assert.Single(bodies.Distinct(StringComparer.Ordinal));
        Assert.Equal(1, await NoticesAsync(world.Holder.Id));
        Assert.Equal(5, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
    }

    [Fact]
    public async Task Bad_notices_are_refused_naming_the_field_and_leave_nothing_written()
    {
        var world = await CreateAsync(factory, "CN");
        var blobsBefore = await CountAsync("SELECT count(*) FROM blobs");
        var eventsBefore = await CountAsync("SELECT count(*) FROM complaint_events");

        // A platform that takes no notices.
        var notPlatform = await ActorAsync(factory, OrganisationKind.Platform);
        var unknown = JsonSerializer.SerializeToNode(world.Notice("bad-1"))!;
        unknown["platformId"] = notPlatform.Id;
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", unknown), "platformId", "complaint.platform_unknown");
        unknown["platformId"] = Guid.NewGuid();
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", unknown), "platformId", "complaint.platform_unknown");

        // A listing on another site than the platform's.
        var offsite = JsonSerializer.SerializeToNode(world.Notice("bad-2"))!;
        offsite["listings"]![0]!["url"] = "https://elsewhere.example/item/bad-2";
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", offsite), "listings[0].url", "complaint.url_not_on_platform");

        // A right another holder holds (visible to all), one not visible, and an expired one.
        var other = await ActorAsync(factory, OrganisationKind.RightsHolder);
        var visible = await PostAsync(other.Client, "/api/v1/rights", new { type = "trademark", jurisdiction = "CN", number = Number(), name = "Elsewhere", classes = new[] { 25 }, filed = "2019-01-10", registered = "2020-02-20", expires = "2034-02-19", status = "registered", distribution = "node" }, HttpStatusCode.Created);
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("bad-3", rights: [visible.GetProperty("id").GetGuid()])), "rightIds[0]", "complaint.right_not_held");
        var hidden = await RightAsync(other.Client, "Hidden" + Number());
        await AssertFieldErrorAsync(await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("bad-3", rights: [hidden])), "rightIds[0]", "complaint.right_unknown");
        var expired = await RightAsync(world.Holder.Client, "Lapsed" + Number(), status: "registered", expires: "2025-12-31");
        var expiredProblem = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", world.Notice("bad-4", rights: [world.Right, expired]));
        await AssertFieldErrorAsync(expiredProblem, "rightIds[1]", "complaint.right_expired", "complaint.right_not_in_force");

        // No statement of good faith, an unknown kind, no listings: all at once.
        var careless = JsonSerializer.SerializeToNode(world.Notice("bad-5"))!;
        careless["goodFaith"] = false;
        careless["kind"] = "piracy";
        var all = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", careless);
        await AssertFieldErrorAsync(all, "goodFaith", "complaint.good_faith_required", "required", "must_be_true");

        // Evidence cited that was never uploaded.
        var unseen = world.Notice("bad-6", evidence: [new { sha256 = new string('a', 64), description = "photo" }]);
        var unseenResponse = await SendAsync(world.Holder.Client, "/api/v1/complaints/notices", unseen);
        Assert.Equal(HttpStatusCode.BadRequest, unseenResponse.StatusCode);
        Assert.Contains("evidence[0]", await unseenResponse.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // Files: the wrong type (text claimed as PDF), and too large.
        var text = await UploadAsync(world.Holder.Client, Encoding.UTF8.GetBytes("just some text, not a PDF"), "evidence.pdf", "application/pdf");
        await AssertFieldErrorAsync(text, "file", "file.type_not_allowed");
        var huge = new byte[(25 * 1024 * 1024) + 1];
        Png.CopyTo(huge, 0);
        var tooLarge = await UploadAsync(world.Holder.Client, huge, "huge.png", "image/png");
        await AssertFieldErrorAsync(tooLarge, "file", "file.too_large");

        // In Chinese, the message is Chinese.
        using var zh = new HttpRequestMessage(HttpMethod.Post, "/api/v1/complaints/notices") { Content = Json(unknown) };
        zh.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        zh.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var zhBody = await (await world.Holder.Client.SendAsync(zh, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains(zhBody.GetProperty("errors")[0].GetProperty("message").GetString()!, c => c is >= '\u4E00' and <= '\u9FFF');

        // Nothing half-written: no notice, no listing, no event, no stored file.
        Assert.Equal(0, await NoticesAsync(world.Holder.Id));
        Assert.Equal(eventsBefore, await CountAsync("SELECT count(*) FROM complaint_events"));
        Assert.Equal(blobsBefore, await CountAsync("SELECT count(*) FROM blobs"));

        // A good file is accepted and can be cited.
        var good = await UploadAsync(world.Holder.Client, Png, "shot.png", "application/octet-stream");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var sha = (await good.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sha256").GetString()!;
        var cited = await world.FileAsync(world.Notice("good-1", evidence: [new { sha256 = sha, description = "screenshot" }]));
        Assert.Equal(sha, cited.GetProperty("evidence")[0].GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Only_parties_see_a_notice_others_get_404_and_customs_cannot_file()
    {
        var world = await CreateAsync(factory, "CN");
        var id = Id(await world.FileAsync(world.Notice("vis-1")));
        var stranger = await ActorAsync(factory, OrganisationKind.RightsHolder);
        await GetAsync(stranger.Client, $"/api/v1/complaints/notices/{id}", HttpStatusCode.NotFound);
        var otherPlatform = await ActorAsync(factory, OrganisationKind.Platform);
        await GetAsync(otherPlatform.Client, $"/api/v1/complaints/notices/{id}", HttpStatusCode.NotFound);
        var decide = await SendAsync(otherPlatform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "x" });
        Assert.Equal(HttpStatusCode.NotFound, decide.StatusCode);
        var customs = await ActorAsync(factory, OrganisationKind.Customs);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(customs.Client, "/api/v1/complaints/notices", world.Notice("vis-2"))).StatusCode);
    }

    private async Task<long> NoticesAsync(Guid complainant) => await CountAsync($"SELECT count(*) FROM complaint_notices WHERE complainant_org_id = '{complainant}'");

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string name, string claimed)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(claimed);
        form.Add(file, "file", name);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/complaints/files") { Content = form };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await client.SendAsync(request, Ct);
    }
}
