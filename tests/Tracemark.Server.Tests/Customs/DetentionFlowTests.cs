using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Customs.CustomsWorld;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Customs;

/// <summary>
/// Each jurisdiction's procedure end to end over HTTP, with the clock moved and the sweep moving cases on. Each flow has its
/// own class, and so its own server and clock: a clock only runs forwards.
/// </summary>
public abstract class DetentionFlow(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    protected TracemarkFactory Factory { get; } = factory;

    protected CancellationToken Ct { get; } = TestContext.Current.CancellationToken;

    protected static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}

public sealed class EuDeemedConsentFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Eu_holder_confirms_the_declarant_is_silent_consent_is_deemed_and_the_goods_are_destroyed_at_the_holders_cost()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var line = await FlaggedLineAsync(scene, date: "2026-04-01");
        var detention = await DetainAsync(scene.Customs.Client, new { lineIds = new[] { line }, mode = "application", storageLocation = "Hamburg bonded warehouse 3", declarantNotified = true });
        var id = detention.GetProperty("id").GetString()!;
        Assert.Equal("detained", detention.GetProperty("state").GetString());
        Assert.Equal("holder", detention.GetProperty("waitingFor").GetString());
        // 10 working days in Germany, skipping Good Friday and Easter Monday: end of 17 April, Berlin time.
        Assert.Equal(Instant("2026-04-17T22:00:00Z"), detention.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(Instant("2026-04-02T22:00:00Z"), detention.GetProperty("noticeDueAt").GetDateTimeOffset());

        // The holder was told at once, in the platform, and sees its deadline.
        await using (var connection = await Factory.OpenOwnerConnectionAsync())
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM notifications WHERE recipient_org_id = @holder AND kind = 'customs.detained'", new { holder = scene.Holder.Id }));
        }

        var mine = (await GetAsync(scene.Holder.Client, "/api/v1/customs/detentions")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(id, mine.GetProperty("id").GetString());
        Assert.Equal(Instant("2026-04-17T22:00:00Z"), mine.GetProperty("dueAt").GetDateTimeOffset());

        Factory.Clock.Set(Instant("2026-04-10T09:00:00Z"));
        var confirmed = await RespondAsync(scene.Holder.Client, id, new { decision = "confirm", reasons = "Counterfeit: printed label, wrong stitching 假冒" });
        Assert.Equal("detained", confirmed.GetProperty("state").GetString());
        Assert.Equal("confirmed", confirmed.GetProperty("holderPosition").GetString());

        Factory.Clock.Set(Instant("2026-04-17T21:00:00Z"));
        await SweepAsync(Factory);
        Assert.Equal("detained", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}")).GetProperty("state").GetString());
        Factory.Clock.Set(Instant("2026-04-17T22:00:01Z"));
        await SweepAsync(Factory);
        var deemed = await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}");
        Assert.Equal("destruction_pending", deemed.GetProperty("state").GetString());
        Assert.Contains(deemed.GetProperty("events").EnumerateArray(), e => e.TryGetProperty("note", out var note) && note.GetString() == "deemed_consent");

        await PostAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}/costs", new { kind = "storage", amount = 240.5, currency = "EUR", incurredOn = "2026-04-17" });
        Factory.Clock.Set(Instant("2026-04-21T09:00:00Z"));
        var destroyed = await ActAsync(scene.Customs.Client, id, new { action = "destroy", certificate = "DE-VN-2026-0042", date = "2026-04-21" });
        Assert.Equal("destroyed", destroyed.GetProperty("state").GetString());
        Assert.Equal("DE-VN-2026-0042", destroyed.GetProperty("destructionCertificate").GetString());
        Assert.Equal("2026-04-21", destroyed.GetProperty("outcomeOn").GetString());
        var cost = destroyed.GetProperty("costs")[0];
        Assert.Equal(scene.Holder.Id, cost.GetProperty("chargedTo").GetProperty("id").GetGuid());
        Assert.Empty(destroyed.GetProperty("allowedActions").EnumerateArray());

        // Every step is audited.
        await using var audit = await Factory.OpenOwnerConnectionAsync();
        var actions = (await audit.QueryAsync<string>("SELECT action FROM audit_events WHERE record_id = @id ORDER BY id", new { id })).ToList();
        Assert.Contains("customs.detention.holder_confirm", actions);
        Assert.Contains("customs.detention.destroy", actions);
    }
}

public sealed class EuReleaseAndExtensionFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Eu_holder_who_does_nothing_sees_the_goods_released_and_an_extension_moves_the_deadline_by_ten_working_days()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var silent = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") }, mode = "application" })).GetProperty("id").GetString()!;
        var extended = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") }, mode = "application" })).GetProperty("id").GetString()!;
        var after = await ActAsync(scene.Customs.Client, extended, new { action = "extend", note = "holder asked for more time" });
        // Ten more working days from 17 April; 1 May is a holiday in Germany.
        Assert.Equal(Instant("2026-05-04T22:00:00Z"), after.GetProperty("dueAt").GetDateTimeOffset());
        await ActAsync(scene.Customs.Client, extended, new { action = "extend" }, HttpStatusCode.Conflict);

        Factory.Clock.Set(Instant("2026-04-18T00:00:00Z"));
        await SweepAsync(Factory);
        var released = await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{silent}");
        Assert.Equal("released", released.GetProperty("state").GetString());
        Assert.Contains(released.GetProperty("events").EnumerateArray(), e => e.TryGetProperty("note", out var note) && note.GetString() == "holder_did_not_act");
        Assert.Equal("detained", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{extended}")).GetProperty("state").GetString());
    }
}

public sealed class EuSmallConsignmentFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Eu_small_consignment_is_destroyed_when_the_declarant_does_not_object()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var line = await FlaggedLineAsync(scene, quantity: "2", grossKg: "1.2", date: "2026-04-01");
        var big = await FlaggedLineAsync(scene, quantity: "40", grossKg: "30", date: "2026-04-01");
        var refused = await scene.Customs.Client.PostAsync("/api/v1/customs/detentions", Json(new { lineIds = new[] { big }, procedure = "small_consignment" }), Ct);
        await AssertFieldErrorAsync(refused, "procedure", "customs.not_a_small_consignment");

        var detention = await DetainAsync(scene.Customs.Client, new { lineIds = new[] { line }, procedure = "small_consignment", declarantNotified = true });
        var id = detention.GetProperty("id").GetString()!;
        Assert.Equal("small_consignment", detention.GetProperty("state").GetString());
        Assert.Equal("declarant", detention.GetProperty("waitingFor").GetString());
        Assert.Equal(Instant("2026-04-17T22:00:00Z"), detention.GetProperty("dueAt").GetDateTimeOffset());

        // A second one whose declarant objects: the holder must start proceedings within 10 working days, or the goods go.
        var objected = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, quantity: "1", grossKg: "0.8", date: "2026-04-01") }, procedure = "small_consignment", declarantNotified = true }))
            .GetProperty("id").GetString()!;
        Factory.Clock.Set(Instant("2026-04-08T08:00:00Z"));
        var objection = await ActAsync(scene.Customs.Client, objected, new { action = "declarant_objects", reasons = "Genuine goods bought in Milan 米兰购买的正品" });
        Assert.Equal("awaiting_proceedings", objection.GetProperty("state").GetString());
        Assert.Equal("holder", objection.GetProperty("waitingFor").GetString());
        Assert.Equal(Instant("2026-04-22T22:00:00Z"), objection.GetProperty("dueAt").GetDateTimeOffset());

        Factory.Clock.Set(Instant("2026-04-18T08:00:00Z"));
        await SweepAsync(Factory);
        Assert.Equal("destruction_pending", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}")).GetProperty("state").GetString());
        Assert.Equal("awaiting_proceedings", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{objected}")).GetProperty("state").GetString());
        Factory.Clock.Set(Instant("2026-04-22T22:00:01Z"));
        await SweepAsync(Factory);
        Assert.Equal("released", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{objected}")).GetProperty("state").GetString());
    }
}

public sealed class PrcApplicationFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Prc_holder_must_apply_and_post_security_within_three_working_days_or_the_goods_are_released()
    {
        Factory.Clock.Set(Instant("2026-03-02T09:00:00Z"));
        var scene = await SceneAsync(Factory, "CN");
        var applied = await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene) } });
        var ignored = await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene) } });
        Assert.Equal("awaiting_application", applied.GetProperty("state").GetString());
        Assert.Equal("application", applied.GetProperty("timer").GetString());
        // Three working days of notice: 3, 4 and 5 March, end of day in Beijing.
        Assert.Equal(Instant("2026-03-05T16:00:00Z"), applied.GetProperty("dueAt").GetDateTimeOffset());

        Factory.Clock.Set(Instant("2026-03-04T02:00:00Z"));
        var id = applied.GetProperty("id").GetString()!;
        // The application needs security posted with it (the preset says so).
        var unsecured = await scene.Holder.Client.PostAsync($"/api/v1/customs/detentions/{id}/response", Json(new { decision = "confirm", reasons = "申请扣留" }), Ct);
        await AssertFieldErrorAsync(unsecured, "securityAmount", "customs.security_required");
        var answer = await RespondAsync(scene.Holder.Client, id, new { decision = "confirm", reasons = "申请扣留：侵权嫌疑货物", securityAmount = 5000, securityCurrency = "cny" });
        Assert.Equal("detained", answer.GetProperty("state").GetString());
        Assert.Equal("CNY", answer.GetProperty("security").GetProperty("currency").GetString());
        Assert.Equal("holder_response", answer.GetProperty("timer").GetString());

        Factory.Clock.Set(Instant("2026-03-05T16:00:01Z"));
        await SweepAsync(Factory);
        Assert.Equal("released", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{ignored.GetProperty("id").GetString()}")).GetProperty("state").GetString());
        Assert.Equal("detained", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}")).GetProperty("state").GetString());

        // Customs investigates, confiscates and donates (PRC allows donation for public welfare).
        var forfeited = await ActAsync(scene.Customs.Client, id, new { action = "forfeit", note = "侵权成立" });
        Assert.Equal("forfeited", forfeited.GetProperty("state").GetString());
        var donated = await ActAsync(scene.Customs.Client, id, new { action = "donate", recipient = "中国红十字会" });
        Assert.Equal("donated", donated.GetProperty("state").GetString());
    }
}

public sealed class UsDetentionFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Us_notice_within_five_business_days_of_presentation_and_seven_for_the_importer_then_forfeiture()
    {
        Factory.Clock.Set(Instant("2026-11-25T15:00:00Z"));
        var scene = await SceneAsync(Factory, "US");
        var detention = await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-11-25") } });
        var id = detention.GetProperty("id").GetString()!;
        Assert.Equal("detained", detention.GetProperty("state").GetString());
        Assert.Equal("customs", detention.GetProperty("waitingFor").GetString());
        // Five business days after presentation (25 November), Thanksgiving skipped: end of 3 December, New York time.
        Assert.Equal(Instant("2026-12-04T05:00:00Z"), detention.GetProperty("noticeDueAt").GetDateTimeOffset());

        Factory.Clock.Set(Instant("2026-11-27T15:00:00Z"));
        var notified = await ActAsync(scene.Customs.Client, id, new { action = "declarant_notified" });
        Assert.Equal("declarant_answer", notified.GetProperty("timer").GetString());
        Assert.Equal("declarant", notified.GetProperty("waitingFor").GetString());
        Assert.Equal(Instant("2026-12-09T05:00:00Z"), notified.GetProperty("dueAt").GetDateTimeOffset());

        Factory.Clock.Set(Instant("2026-12-09T05:00:01Z"));
        await SweepAsync(Factory);
        Assert.Equal("forfeited", (await GetAsync(scene.Customs.Client, $"/api/v1/customs/detentions/{id}")).GetProperty("state").GetString());
        Assert.Equal("destroyed", (await ActAsync(scene.Customs.Client, id, new { action = "destroy", certificate = "CBP-DC-7781", date = "2026-12-09" }))
            .GetProperty("state").GetString());
    }
}

public sealed class HolderDenialFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task The_holder_denies_in_one_step_and_the_goods_are_released()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var id = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") }, mode = "application" })).GetProperty("id").GetString()!;
        var missing = await scene.Holder.Client.PostAsync($"/api/v1/customs/detentions/{id}/response", Json(new { decision = "deny" }), Ct);
        await AssertFieldErrorAsync(missing, "reasons", "required");
        var denied = await RespondAsync(scene.Holder.Client, id, new { decision = "deny", reasons = "Genuine goods from our Italian factory 正品" });
        Assert.Equal("released", denied.GetProperty("state").GetString());
        Assert.Equal("denied", denied.GetProperty("holderPosition").GetString());
        var again = await scene.Holder.Client.PostAsync($"/api/v1/customs/detentions/{id}/response", Json(new { decision = "confirm", reasons = "x" }), Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}

public sealed class PoliceReferralFlowTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task A_referral_to_the_police_hands_over_a_package_of_the_case_and_its_evidence()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var police = await OrgAsync(Factory, OrganisationKind.Police);
        var id = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") }, mode = "application" })).GetProperty("id").GetString()!;
        var photo = TestImages.Png(64, 48, 7);
        var upload = await scene.Customs.Client.PostAsync($"/api/v1/customs/detentions/{id}/evidence", File(photo, "label.png", "image/png", ("kind", "photo"), ("caption", "Printed label 印刷标签")), Ct);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var evidence = JsonDocument.Parse(await upload.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo)), evidence.GetProperty("sha256").GetString());

        // The holder sees the photo of its detention.
        Assert.Equal(photo, await scene.Holder.Client.GetByteArrayAsync(evidence.GetProperty("url").GetString(), Ct));

        var referred = await ActAsync(scene.Customs.Client, id, new { action = "refer_to_police", policeOrgId = police.Id, note = "Large-scale counterfeiting" });
        Assert.Equal("referred_to_police", referred.GetProperty("state").GetString());
        var package = await police.Client.GetAsync($"/api/v1/customs/detentions/{id}/package", Ct);
        Assert.Equal(HttpStatusCode.OK, package.StatusCode);
        var bytes = await package.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(referred.GetProperty("handoverSha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        using var zip = new ZipArchive(new MemoryStream(bytes));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("case.json", names);
        Assert.Contains("manifest.json", names);
        Assert.Contains(names, n => n.StartsWith("evidence/", StringComparison.Ordinal));
        // The holder sees the detention but the package is for the police: 403, not 404.
        Assert.Equal(HttpStatusCode.Forbidden, (await scene.Holder.Client.GetAsync($"/api/v1/customs/detentions/{id}/package", Ct)).StatusCode);
    }
}

public sealed class DetentionVisibilityTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task A_right_holder_sees_only_its_own_detentions_and_others_get_404()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        var id = (await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") } })).GetProperty("id").GetString()!;
        var stranger = await OrgAsync(Factory, OrganisationKind.RightsHolder);
        var platform = await OrgAsync(Factory, OrganisationKind.Platform);
        var otherCustoms = await OrgAsync(Factory, OrganisationKind.Customs);
        foreach (var other in new[] { stranger, platform, otherCustoms })
        {
            Assert.DoesNotContain(id, (await GetAsync(other.Client, "/api/v1/customs/detentions")).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
            Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/v1/customs/detentions/{id}", Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsync($"/api/v1/customs/detentions/{id}/response", Json(new { decision = "confirm", reasons = "mine" }), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scene.Holder.Client.PostAsync($"/api/v1/customs/detentions/{id}/actions", Json(new { action = "release" }), Ct)).StatusCode);
        Assert.Equal(id, (await GetAsync(scene.Holder.Client, $"/api/v1/customs/detentions/{id}")).GetProperty("id").GetString());
    }
}

public sealed class CustomsStatisticsTests(TracemarkFactory factory) : DetentionFlow(factory)
{
    [Fact]
    public async Task Statistics_count_detentions_items_and_value_by_port_and_holder_in_one_currency()
    {
        Factory.Clock.Set(Instant("2026-04-01T08:00:00Z"));
        var scene = await SceneAsync(Factory, "DE");
        await DetainAsync(scene.Customs.Client, new { lineIds = new[] { await FlaggedLineAsync(scene, date: "2026-04-01") } });
        var byHolder = await GetAsync(scene.Customs.Client, "/api/v1/customs/statistics?by=holder&currency=EUR");
        var row = byHolder.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == scene.Holder.Id.ToString());
        Assert.Equal(1, row.GetProperty("detentions").GetInt32());
        Assert.Equal(10, row.GetProperty("items").GetDecimal());
        Assert.Equal(1000, row.GetProperty("value").GetDecimal());
        var inYuan = await GetAsync(scene.Customs.Client, "/api/v1/customs/statistics?by=port&currency=CNY");
        Assert.Contains(inYuan.GetProperty("rows").EnumerateArray(), r => r.GetProperty("key").GetString() == "DEHAM" && r.GetProperty("value").GetDecimal() > 1000);
    }
}
