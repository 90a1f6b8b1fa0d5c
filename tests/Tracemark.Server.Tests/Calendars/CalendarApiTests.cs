using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Calendars;

public sealed class CalendarApiTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_preset_calendars_count_the_PRC_Spring_Festival_and_its_make_up_days()
    {
        var client = await ReaderAsync();
        var calendars = await client.GetFromJsonAsync<JsonElement>("/api/v1/calendars", _ct);
        Assert.Equal(["CN", "DE", "US"], calendars.EnumerateArray().Select(c => c.GetProperty("code").GetString()));

        var deadline = await client.GetFromJsonAsync<JsonElement>("/api/v1/calendars/CN/deadline?from=2026-02-13T02:00:00Z&length=3&unit=working_days", _ct);
        Assert.Equal("2026-02-25", deadline.GetProperty("lastDay").GetString());
        Assert.Equal(new DateTimeOffset(2026, 2, 25, 16, 0, 0, TimeSpan.Zero), deadline.GetProperty("due").GetDateTimeOffset());
        Assert.False(deadline.GetProperty("provisional").GetBoolean());

        var days = await client.GetFromJsonAsync<JsonElement>("/api/v1/calendars/cn/days?from=2026-02-01&to=2026-02-28", _ct);
        var kinds = days.EnumerateArray().ToDictionary(d => d.GetProperty("day").GetString()!, d => d.GetProperty("kind").GetString());
        Assert.Equal("working", kinds["2026-02-14"]);
        Assert.Equal("holiday", kinds["2026-02-17"]);
        Assert.Equal("working", kinds["2026-02-28"]);
    }

    [Fact]
    public async Task A_holiday_the_administrator_declares_moves_deadlines_at_once_and_is_audited()
    {
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.CoordinatingOffice), Role.OrgAdmin, platformAdmin: true));
        const string query = "/api/v1/calendars/DE/deadline?from=2026-06-01T08:00:00Z&length=1";
        Assert.Equal("2026-06-02", (await admin.GetFromJsonAsync<JsonElement>(query, _ct)).GetProperty("lastDay").GetString());

        var put = await admin.PutAsync("/api/v1/calendars/DE/days/2026-06-02", Json("""{"kind":"holiday","nameEn":"Test holiday","nameZh":"测试假日"}"""), _ct);
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("2026-06-03", (await admin.GetFromJsonAsync<JsonElement>(query, _ct)).GetProperty("lastDay").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/calendars/DE/days/2026-06-02", _ct)).StatusCode);
        Assert.Equal("2026-06-02", (await admin.GetFromJsonAsync<JsonElement>(query, _ct)).GetProperty("lastDay").GetString());
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?recordType=calendar&recordId=DE", _ct);
        Assert.Equal(["calendar.remove_day", "calendar.set_day"], audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Theory]
    [InlineData("/api/v1/calendars/CN/deadline?length=3&unit=weeks", "unit", "invalid_value")]
    [InlineData("/api/v1/calendars/CN/deadline?unit=working_days", "length", "required")]
    [InlineData("/api/v1/calendars/CN/deadline?length=-1", "length", "out_of_range")]
    [InlineData("/api/v1/calendars/CN/deadline?length=3&from=yesterday", "from", "date.invalid")]
    [InlineData("/api/v1/calendars/CN/days?from=2026-13-01", "from", "date.invalid")]
    [InlineData("/api/v1/calendars/CN/days?from=2026-03-01&to=2026-02-01", "to", "date.before_start")]
    public async Task Bad_queries_name_their_field(string url, string field, string code)
    {
        var response = await (await ReaderAsync()).GetAsync(url, _ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
    }

    [Fact]
    public async Task An_unknown_calendar_is_404()
    {
        var response = await (await ReaderAsync()).GetAsync("/api/v1/calendars/ZZ/deadline?length=1", _ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<HttpClient> ReaderAsync() =>
        factory.ApiClient(await Seed.ApiKeyAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.Platform), [ApiScopes.Read]));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
