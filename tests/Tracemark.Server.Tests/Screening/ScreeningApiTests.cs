using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Tests.Rights;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Screening;

/// <summary>Screening through the API against the registry's own marks, as platforms and customs use it.</summary>
public sealed class ScreeningApiTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private static readonly TimeSpan LiveWithin = TimeSpan.FromSeconds(10);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en", "N0RTHWlND down jacket 1:1 replica", "lookalike", "looks like the mark")]
    [InlineData("zh-CN", "北風 羽绒服 高仿 原单", "exact", "繁简异体")]
    [InlineData("en", "ＮＯＲＴＨＷＩＮＤ parka", "lookalike", "full-width")]
    [InlineData("zh-CN", "n.o.r.t.h.w.i.n.d 夹克", "lookalike", "分隔符")]
    public async Task Marks_from_the_registry_are_found_with_their_lookalikes_and_explained_in_the_callers_language(string language, string text, string kind, string reasonPart)
    {
        var (_, right) = await RightAsync("Northwind", "北风");
        var platform = await Reader(language);

        var response = await platform.PostAsync("/api/v1/screening", Json(new { text }), _ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        var hits = result.GetProperty("results")[0].GetProperty("hits").EnumerateArray().ToList();
        var mark = Assert.Single(hits, h => h.TryGetProperty("markId", out var id) && id.GetString() == right);
        Assert.Equal(kind, mark.GetProperty("kind").GetString());
        Assert.Contains(reasonPart, mark.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var start = mark.GetProperty("start").GetInt32();
        Assert.Equal(mark.GetProperty("matched").GetString(), text.Substring(start, mark.GetProperty("length").GetInt32()));
        Assert.False(string.IsNullOrEmpty(mark.GetProperty("owner").GetProperty("nameZh").GetString()));
        if (text.Contains("replica", StringComparison.Ordinal) || text.Contains("高仿", StringComparison.Ordinal))
        {
            Assert.Contains(hits, h => h.GetProperty("kind").GetString() == "risk-term");
        }
    }

    [Fact]
    public async Task A_new_right_is_screened_for_within_moments_and_a_cancelled_one_no_longer()
    {
        var platform = await Reader();
        var name = "Quillfeather" + Guid.NewGuid().ToString("N")[..4];
        Assert.Empty(await MarkHitsAsync(platform, name + " pens"));

        var (holder, right) = await RightAsync(name, null);
        await EventuallyAsync(async () => (await MarkHitsAsync(platform, name + " pens")).Contains(right));

        var cancelled = await holder.Client.PatchAsync($"/api/v1/rights/{right}", Json(new { status = "cancelled" }), _ct);
        Assert.True(cancelled.IsSuccessStatusCode, await cancelled.Content.ReadAsStringAsync(_ct));
        await EventuallyAsync(async () => !(await MarkHitsAsync(platform, name + " pens")).Contains(right));
    }

    [Fact]
    public async Task A_right_shared_with_its_owner_only_is_never_revealed_to_others_through_a_hit()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var name = "Hushmark" + Guid.NewGuid().ToString("N")[..4];
        var right = (await CreateRightAsync(holder.Client, new { type = "trademark", jurisdiction = "CN", number = Number(), name, classes = new[] { 25 }, distribution = "organisation" })).GetProperty("id").GetString()!;
        var other = await Reader();

        await EventuallyAsync(async () => (await MarkHitsAsync(holder.Client, name)).Contains(right));
        Assert.DoesNotContain(right, await MarkHitsAsync(other, name));
        Assert.DoesNotContain(right, await other.GetStringAsync("/api/v1/screening/status", _ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owners_exclusions_stop_innocent_phrases_from_hitting()
    {
        var (holder, right) = await RightAsync("Orchard", null);
        var platform = await Reader();
        Assert.Contains(right, await MarkHitsAsync(platform, "orchard bakery bread"));

        var set = await holder.Client.PutAsync($"/api/v1/screening/marks/{right}/exclusions", Json(new { exclusions = new[] { "orchard bakery" } }), _ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await EventuallyAsync(async () => !(await MarkHitsAsync(platform, "orchard bakery bread")).Contains(right));
        Assert.Contains(right, await MarkHitsAsync(platform, "orchard jacket replica"));

        var stranger = await OrgAsync(factory, OrganisationKind.RightsHolder);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.PutAsync($"/api/v1/screening/marks/{right}/exclusions", Json(new { exclusions = Array.Empty<string>() }), _ct)).StatusCode);
    }

    [Theory]
    [InlineData("""{"text":"a","texts":["b"]}""", "texts", "screening.text_or_texts")]
    [InlineData("""{}""", "text", "required")]
    [InlineData("""{"texts":[]}""", "text", "required")]
    [InlineData("""{"text":"a","mode":"fuzzy"}""", "mode", "invalid_value")]
    [InlineData("""{"texts":["a",null]}""", "texts[1]", "required")]
    public async Task Bad_requests_name_the_field(string body, string field, string code)
    {
        var response = await (await Reader()).PostAsync("/api/v1/screening", new StringContent(body, Encoding.UTF8, "application/json"), _ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
    }

    [Fact]
    public async Task More_than_ten_thousand_texts_in_one_call_are_refused()
    {
        var response = await (await Reader()).PostAsync("/api/v1/screening", Json(new { texts = Enumerable.Repeat("x", 10_001) }), _ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_stream_answers_every_line_in_order_and_reports_bad_lines_without_stopping()
    {
        var (_, right) = await RightAsync("Lanternfish", null);
        var platform = await Reader();
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        Write("""{"id":"a1","text":"Lanternf1sh lamp"}""" + "\n");
        Write("not json\n");
        body.Write([0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A]); // {"text":"<invalid UTF-8>"}
        Write("\n");
        Write("""{"id":7,"text":"nothing here"}""" + "\n");
        Write("""{"id":"no-text"}""");
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new("application/x-ndjson");

        var response = await platform.PostAsync("/api/v1/screening/stream", content, _ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(_ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1, 2, 3, 5, 6], lines.Select(l => l.GetProperty("line").GetInt32()));
        Assert.Contains(lines[0].GetProperty("hits").EnumerateArray(), h => h.GetProperty("markId").GetString() == right);
        Assert.Equal("a1", lines[0].GetProperty("id").GetString());
        Assert.Equal("screening.invalid_json", lines[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("screening.invalid_utf8", lines[2].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("7", lines[3].GetProperty("id").GetString());
        Assert.Empty(lines[3].GetProperty("hits").EnumerateArray());
        Assert.Equal("screening.text_missing", lines[4].GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Plain_text_streams_one_result_per_line_and_other_media_types_are_refused()
    {
        await RightAsync("Kettlebrook", null);
        var platform = await Reader();
        var plain = await platform.PostAsync("/api/v1/screening/stream?mode=exact_only", new StringContent("kettlebrook kettle\n\nk3ttlebrook kettle\n", Encoding.UTF8, "text/plain"), _ct);
        var lines = (await plain.Content.ReadAsStringAsync(_ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.NotEmpty(lines[0].GetProperty("hits").EnumerateArray());
        Assert.Empty(lines[1].GetProperty("hits").EnumerateArray());
        Assert.DoesNotContain(lines[2].GetProperty("hits").EnumerateArray(), h => h.GetProperty("kind").GetString() == "lookalike");

        var wrong = await platform.PostAsync("/api/v1/screening/stream", new StringContent("<xml/>", Encoding.UTF8, "application/xml"), _ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrong.StatusCode);
    }

    [Fact]
    public async Task The_platform_administrator_keeps_the_risk_term_lists()
    {
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.CoordinatingOffice), Role.OrgAdmin, platformAdmin: true));
        var platform = await Reader();
        await EventuallyAsync(async () => (await RiskHitsAsync(platform, "1:1 replica watch")).Contains("replica"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/screening/risk-terms?term=replica&language=en", _ct)).StatusCode);
        await EventuallyAsync(async () => !(await RiskHitsAsync(platform, "1:1 replica watch")).Contains("replica"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("/api/v1/screening/risk-terms", Json(new { term = "貨真價實仿", language = "zh" }), _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync("/api/v1/screening/risk-terms", Json(new { term = "replica", language = "en" }), _ct)).StatusCode);
        await EventuallyAsync(async () => (await RiskHitsAsync(platform, "1:1 replica watch")).Contains("replica"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/screening/risk-terms?term=nonexistent&language=en", _ct)).StatusCode);
    }

    private async Task<(Party Holder, string RightId)> RightAsync(string name, string? nameZh)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var right = (await CreateRightAsync(holder.Client, Trademark(Number(), name, nameZh))).GetProperty("id").GetString()!;
        var reader = await Reader();
        await EventuallyAsync(async () => (await MarkHitsAsync(reader, name)).Contains(right));
        return (holder, right);
    }

    private async Task<HttpClient> Reader(string? language = null) =>
        factory.ApiClient(await Seed.ApiKeyAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.Platform), [ApiScopes.Read]), language);

    private async Task<List<string>> MarkHitsAsync(HttpClient client, string text) =>
        (await HitsAsync(client, text)).Where(h => h.TryGetProperty("markId", out _)).Select(h => h.GetProperty("markId").GetString()!).ToList();

    private async Task<List<string>> RiskHitsAsync(HttpClient client, string text) =>
        (await HitsAsync(client, text)).Where(h => h.GetProperty("kind").GetString() == "risk-term").Select(h => h.GetProperty("mark").GetString()!).ToList();

    private async Task<List<JsonElement>> HitsAsync(HttpClient client, string text)
    {
        var response = await client.PostAsync("/api/v1/screening", Json(new { text }), _ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(_ct)).GetProperty("results")[0].GetProperty("hits").EnumerateArray().Select(h => h.Clone()).ToList();
    }

    private static string Number() => "T" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Changes reach the lexicon by a database notification: wait for it, within a bound that fails a broken path.</summary>
    private async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + LiveWithin;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the change did not reach the screening lexicon in time");
            await Task.Delay(50, _ct);
        }
    }
}
