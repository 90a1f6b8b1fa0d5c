using System.Net;
using System.Text.Json;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Rights;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Rights;

/// <summary>Recording, reading, changing and finding rights through the API.</summary>
public sealed class RightsApiTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_holder_records_a_trademark_and_an_officer_finds_it_by_either_script_a_misspelling_or_its_number()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var right = await CreateRightAsync(holder.Client, Trademark("30981245", "Quillmere", "鷹羽", [18, 25]));
        var id = right.GetProperty("id").GetString();
        Assert.Equal("node", right.GetProperty("distribution").GetString());
        Assert.Equal("registered", right.GetProperty("status").GetString());
        Assert.Equal("word", right.GetProperty("form").GetString());
        Assert.Equal([18, 25], right.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()));

        foreach (var query in new[] { "鷹羽", "鹰羽", "Quillmere", "QUILLMERE", "Ｑｕｉｌｌｍｅｒｅ", "Quilmere", "Quilmeer", "Quíllmère", "30981245", "30-981-245", "３０９８１２４５" })
        {
            var found = await GetAsync(customs.Client, "/api/v1/rights?q=" + Uri.EscapeDataString(query));
            var first = found.GetProperty("items").EnumerateArray().FirstOrDefault();
            Assert.True(first.ValueKind == JsonValueKind.Object && first.GetProperty("id").GetString() == id, $"'{query}' did not find the right first: {found}");
        }

        var unrelated = await GetAsync(customs.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("Zebrafox"));
        Assert.DoesNotContain(unrelated.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task A_misspelt_name_ranks_the_closest_mark_first()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        await CreateRightAsync(holder.Client, Trademark("71000001", "Brightwater Labs"));
        var target = await CreateRightAsync(holder.Client, Trademark("71000002", "Brightwater"));
        await CreateRightAsync(holder.Client, Trademark("71000003", "Bright Winter"));

        var found = await GetAsync(holder.Client, "/api/v1/rights?q=Brigthwater");

        var items = found.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(target.GetProperty("id").GetString(), items[0].GetProperty("id").GetString());
        var scores = items.Select(i => i.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Fact]
    public async Task A_name_with_every_word_misspelt_is_found_by_its_words_when_the_whole_is_too_far()
    {
        // "zorvnadel sprot" is 0.4 similar to "zorvandel sport" as a whole (under the loose 0.45), but each
        // word is close enough on its own (0.43 and 0.33), which only the rough every-word pass accepts.
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var target = await CreateRightAsync(holder.Client, Trademark("72000001", "Zorvandel Sport"));
        await CreateRightAsync(holder.Client, Trademark("72000002", "Brightwater Sport"));
        await CreateRightAsync(holder.Client, Trademark("72000003", "Zorvandel"));

        var found = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("Zorvnadel Sprot"));

        var items = found.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(target.GetProperty("id").GetString(), items[0].GetProperty("id").GetString());
        Assert.DoesNotContain(items, i => i.GetProperty("number").GetString() == "72000002");
    }

    [Theory]
    [InlineData(RightSearch.Pass.EveryWordClose, 0, null)]
    [InlineData(RightSearch.Pass.EveryWordClose, 1, RightSearch.Pass.EveryWordLoose)]
    [InlineData(RightSearch.Pass.EveryWordLoose, 1, null)]
    [InlineData(RightSearch.Pass.EveryWordClose, 2, RightSearch.Pass.EveryWordLoose)]
    [InlineData(RightSearch.Pass.EveryWordLoose, 2, RightSearch.Pass.EveryWordRough)]
    [InlineData(RightSearch.Pass.EveryWordRough, 3, RightSearch.Pass.WholeQueryLoose)]
    [InlineData(RightSearch.Pass.WholeQueryLoose, 3, null)]
    public void Passes_follow_each_other_and_a_one_word_query_never_reaches_the_costly_ones(RightSearch.Pass pass, int words, RightSearch.Pass? next) =>
        Assert.Equal(next, RightSearch.NextPass(pass, words));

    [Fact]
    public async Task Filters_and_facets_count_every_match_and_pages_do_not_repeat()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        for (var i = 0; i < 5; i++)
        {
            await CreateRightAsync(holder.Client, Trademark($"8800000{i}", $"Facetmark {i}", "面板标", i < 3 ? [25] : [9, 25], i < 4 ? "CN" : "EM"));
        }

        await CreateRightAsync(holder.Client, new { type = "patent", jurisdiction = "CN", number = "ZL201910123456.7", name = "Facetmark hinge", filed = "2019-05-01" });

        var all = await GetAsync(holder.Client, $"/api/v1/rights?q=Facetmark&owner={holder.Id}&facets=true");
        var facets = all.GetProperty("facets");
        Assert.Equal(6, all.GetProperty("items").GetArrayLength());
        Assert.Equal(5, Facet(facets, "types", "trademark"));
        Assert.Equal(1, Facet(facets, "types", "patent"));
        Assert.Equal(1, Facet(facets, "statuses", "pending"));
        Assert.Equal(5, Facet(facets, "jurisdictions", "CN"));
        Assert.Equal(5, Facet(facets, "classes", "25"));
        Assert.Equal(2, Facet(facets, "classes", "9"));
        Assert.Equal(6, facets.GetProperty("owners")[0].GetProperty("count").GetInt32());

        Assert.Equal(2, (await GetAsync(holder.Client, $"/api/v1/rights?q=Facetmark&class=9&owner={holder.Id}")).GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await GetAsync(holder.Client, $"/api/v1/rights?q=Facetmark&jurisdiction=euipo&owner={holder.Id}")).GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await GetAsync(holder.Client, $"/api/v1/rights?type=专利&owner={holder.Id}")).GetProperty("items").GetArrayLength());
        Assert.Equal(1, (await GetAsync(holder.Client, $"/api/v1/rights?number=zl 2019 1012 3456.7")).GetProperty("items").GetArrayLength());
        Assert.Equal(5, (await GetAsync(holder.Client, $"/api/v1/rights?validOn=2025-06-01&owner={holder.Id}")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await GetAsync(holder.Client, $"/api/v1/rights?validOn=2031-01-01&owner={holder.Id}")).GetProperty("items").GetArrayLength());

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            // Every page's facets count all the matches, not the page: they come from the same statement as the page.
            var page = await GetAsync(holder.Client, $"/api/v1/rights?q=Facetmark&owner={holder.Id}&limit=4&facets=true" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            Assert.Equal(5, Facet(page.GetProperty("facets"), "types", "trademark"));
            Assert.Equal(2, Facet(page.GetProperty("facets"), "classes", "9"));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(6, seen.Count);
        Assert.Equal(6, seen.Distinct(StringComparer.Ordinal).Count());

        // A cursor past the last match: no rows to carry the counts, which must still be there.
        var pastTheEnd = Paging.Encode($"0|-1|{Guid.Empty}");
        var empty = await GetAsync(holder.Client, $"/api/v1/rights?q=Facetmark&owner={holder.Id}&facets=true&cursor={pastTheEnd}");
        Assert.Equal(0, empty.GetProperty("items").GetArrayLength());
        Assert.Equal(5, Facet(empty.GetProperty("facets"), "types", "trademark"));
        Assert.Equal(6, empty.GetProperty("facets").GetProperty("owners")[0].GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","classes":[0]}""", "classes[0]", "right.class_out_of_range", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","classes":[46]}""", "classes[0]", "right.class_out_of_range", "zh-CN")]
    [InlineData("""{"type":"patent","jurisdiction":"CN","number":"1","name":"X","classes":[7]}""", "classes", "right.classes_trademarks_only", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"XQ","number":"1","name":"X"}""", "jurisdiction", "right.jurisdiction_unknown", "zh-CN")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","filed":"2020-01-01","registered":"2019-01-01"}""", "registered", "date.before", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","registered":"2020-01-01","expires":"2020-01-01"}""", "expires", "date.not_after", "zh-CN")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","filed":"2020-02-30"}""", "filed", "date.not_a_date", "en")]
    [InlineData("""{"type":"brand","jurisdiction":"CN","number":"1","name":"X"}""", "type", "right.type_unknown", "zh-CN")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":""}""", "name", "required", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","name":"X"}""", "number", "required", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","species":"Rosa"}""", "species", "right.field_not_for_type", "zh-CN")]
    [InlineData("""{"type":"trademark","form":"utility_model","jurisdiction":"CN","number":"1","name":"X"}""", "form", "right.form_not_for_type", "en")]
    [InlineData("""{"type":"trademark","jurisdiction":"CN","number":"1","name":"X","colour":"red"}""", "colour", "json.invalid_value", "en")]
    public async Task Bad_input_is_a_400_naming_the_field_in_the_callers_language_and_records_nothing(string body, string field, string code, string language)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, language: language);
        var before = await CountAsync(factory, "rights");

        var error = await AssertFieldErrorAsync(await holder.Client.PostAsync("/api/v1/rights", Json(body), _ct), field, code);

        Assert.Equal(language == "zh-CN", HasChinese(error.GetProperty("message").GetString()!));
        Assert.Equal(before, await CountAsync(factory, "rights"));
    }

    [Fact]
    public async Task The_same_right_twice_is_a_409_and_only_holders_and_their_agents_record_rights()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        await CreateRightAsync(holder.Client, Trademark("55500001", "Twiceward"));
        var again = await holder.Client.PostAsync("/api/v1/rights", Json(Trademark("555-000-01", "Twiceward again")), _ct);
        await AssertFieldErrorAsync(again, "number", "right.already_recorded", HttpStatusCode.Conflict);

        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        Assert.Equal(HttpStatusCode.Forbidden, (await customs.Client.PostAsync("/api/v1/rights", Json(Trademark("55500002", "Not mine")), _ct)).StatusCode);
        var agent = await OrgAsync(factory, OrganisationKind.Agent);
        await AssertFieldErrorAsync(await agent.Client.PostAsync("/api/v1/rights", Json(Trademark("55500003", "No holder")), _ct), "holderId", "required");
    }

    [Fact]
    public async Task Changes_are_versioned_audited_widen_only_and_refused_to_others()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var stranger = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var id = (await CreateRightAsync(holder.Client, Trademark("66600001", "Versionmark"))).GetProperty("id").GetString();

        var changed = await holder.Client.PatchAsync($"/api/v1/rights/{id}", Json(new { nameZh = "版本标", status = "opposed", distribution = "partners" }), _ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = await GetAsync(holder.Client, $"/api/v1/rights/{id}");
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.Equal("版本标", after.GetProperty("nameZh").GetString());
        Assert.Equal("opposed", after.GetProperty("status").GetString());
        Assert.Equal(id, (await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("版本"))).GetProperty("items")[0].GetProperty("id").GetString());

        var narrow = await holder.Client.PatchAsync($"/api/v1/rights/{id}", Json(new { distribution = "organisation" }), _ct);
        await AssertFieldErrorAsync(narrow, "distribution", "distribution.narrowing", HttpStatusCode.UnprocessableEntity);
        var bad = await holder.Client.PatchAsync($"/api/v1/rights/{id}", Json(new { expires = "2018-01-01" }), _ct);
        await AssertFieldErrorAsync(bad, "expires", "date.not_after");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.Client.PatchAsync($"/api/v1/rights/{id}", Json(new { name = "Mine" }), _ct)).StatusCode);
        Assert.Equal(2, (await GetAsync(holder.Client, $"/api/v1/rights/{id}")).GetProperty("version").GetInt32());

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var actions = (await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT action FROM audit_events WHERE record_id = @id ORDER BY id", new { id })).ToList();
        Assert.Contains("right.create", actions);
        Assert.Contains("right.widen", actions);
        Assert.Contains("right.read", actions);
    }

    [Fact]
    public async Task An_organisation_level_right_is_invisible_to_others_in_searches_and_by_id()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var body = JsonSerializer.SerializeToElement(Trademark("77700001", "Hiddenmark", "隐藏标"));
        var right = await CreateRightAsync(holder.Client, new Dictionary<string, object?>(body.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value))) { ["distribution"] = "organisation" });
        var id = right.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await customs.Client.GetAsync($"/api/v1/rights/{id}", _ct)).StatusCode);
        // Fuzzy search may rank other, visible rights; the hidden one must not be among them, nor in the facets' owners.
        var seen = await GetAsync(customs.Client, "/api/v1/rights?q=Hiddenmark&facets=true");
        Assert.DoesNotContain(seen.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(seen.GetProperty("facets").GetProperty("owners").EnumerateArray(), o => o.GetProperty("id").GetGuid() == holder.Id);
        var own = await GetAsync(holder.Client, "/api/v1/rights?q=Hiddenmark");
        Assert.Equal(id, own.GetProperty("items")[0].GetProperty("id").GetString());
    }

    private static int Facet(JsonElement facets, string name, string value) =>
        facets.GetProperty(name).EnumerateArray().Where(f => f.GetProperty("value").GetString() == value).Select(f => f.GetProperty("count").GetInt32()).FirstOrDefault();
}
