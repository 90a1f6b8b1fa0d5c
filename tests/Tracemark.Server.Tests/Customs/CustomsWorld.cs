using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Customs;
using Tracemark.Server.Tests.Rights;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Customs;

/// <summary>A right holder with a mark and its guide, a customs authority in a country, and helpers to import, screen and detain.</summary>
internal sealed record CustomsScene(Party Holder, Party Customs, Guid RightId, string Mark);

internal static class CustomsWorld
{
    public const string Header = "declaration_number,line,date,mode,importer,exporter,consignor,consignee,origin,destination,port,hs_code,description,brand,quantity,unit,value,currency,gross_kg,container_ids,parcel_ids";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A holder of a fresh mark (classes 18 and 25) whose guide names "{mark} Europe GmbH" as the authorised importer,
    /// the route IT → DE by sea and a price from 100 EUR a piece; and a customs authority of <paramref name="country"/>.
    /// Waits until the screening engine knows the mark.
    /// </summary>
    public static async Task<CustomsScene> SceneAsync(TracemarkFactory factory, string country, string? prefix = null, string? customsLanguage = null)
    {
        var mark = (prefix ?? "Velmora") + Letters();
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, name: mark + " Brands");
        var customs = await OrgAsync(factory, OrganisationKind.Customs, language: customsLanguage);
        await SetCountryAsync(factory, customs.Id, country);
        var right = (await CreateRightAsync(holder.Client, Trademark(Number(), mark, null, [18, 25], "CN"))).GetProperty("id").GetGuid();
        await PostAsync(holder.Client, "/api/v1/guides", new
        {
            rightIds = new[] { right },
            title = mark + " jackets",
            genuineFeatures = new[] { "Woven label" },
            fakeIndicators = new[] { "Printed label" },
            parties = new[] { new { role = "importer", name = mark + " Europe GmbH", country = "DE" } },
            routes = new[] { new { origin = "IT", destination = "DE", ports = Array.Empty<string>(), modes = new[] { "sea" } } },
            priceBands = new[] { new { product = "Jacket", min = 100.0, max = 400.0, currency = "EUR", unit = "piece" } },
        });
        await EventuallyAsync(async () => (await MarkHitsAsync(customs.Client, mark + " jacket")).Contains(right));
        return new CustomsScene(holder, customs, right, mark);
    }

    public static async Task SetCountryAsync(TracemarkFactory factory, Guid organisation, string country)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync("UPDATE organisations SET country = @country WHERE id = @organisation", new { country, organisation });
    }

    /// <summary>One CSV row; every value can be overridden by column name.</summary>
    public static string Row(string number, int line, string brand, string description = "Men's jacket", string importer = "Cheap Trade Ltd",
        string quantity = "10", string value = "1000", string currency = "EUR", string hs = "6201.40", string origin = "CN", string mode = "sea",
        string unit = "pcs", string grossKg = "12", string date = "2026-03-02") =>
        string.Join(',', number, line.ToString(CultureInfo.InvariantCulture), date, mode, Quote(importer), "Shenzhen Export Co", "", "", origin, "DE", "DEHAM", hs,
            Quote(description), Quote(brand), quantity, unit, value, currency, grossKg, "", "");

    public static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    /// <summary>Posts a file and waits for its job to finish; returns the job.</summary>
    public static async Task<JsonElement> ImportAsync(HttpClient client, HttpContent content, string query = "")
    {
        var response = await client.PostAsync("/api/v1/customs/imports" + query, content, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await GetAsync(client, $"/api/v1/customs/imports/{id}");
            if (job.GetProperty("status").GetString() is "done" or "refused" or "failed")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < until, "the import did not finish: " + job);
            await Task.Delay(100, Ct);
        }
    }

    public static StringContent CsvContent(string csv) => new(csv, Encoding.UTF8, "text/csv");

    public static async Task<List<JsonElement>> WorklistAsync(HttpClient client, string query = "") =>
        [.. (await GetAsync(client, "/api/v1/customs/worklist" + query)).GetProperty("items").EnumerateArray()];

    public static async Task<JsonElement> DetainAsync(HttpClient client, object body) => await PostAsync(client, "/api/v1/customs/detentions", body);

    public static async Task<JsonElement> ActAsync(HttpClient client, string detention, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        await PostAsync(client, $"/api/v1/customs/detentions/{detention}/actions", body, expected);

    public static async Task<JsonElement> RespondAsync(HttpClient client, string detention, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        await PostAsync(client, $"/api/v1/customs/detentions/{detention}/response", body, expected);

    public static async Task<int> SweepAsync(TracemarkFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DetentionSweep>().RunOnceAsync(Ct);
    }

    /// <summary>Imports one flagged line for the scene's mark and returns its id from the work list.</summary>
    public static async Task<Guid> FlaggedLineAsync(CustomsScene scene, string quantity = "10", string unit = "pcs", string grossKg = "12", string date = "2026-03-02")
    {
        var number = "DN" + Letters().ToUpperInvariant();
        var job = await ImportAsync(scene.Customs.Client, CsvContent(Csv(Row(number, 1, scene.Mark, quantity: quantity, unit: unit, grossKg: grossKg, date: date))));
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var line = (await WorklistAsync(scene.Customs.Client)).Single(l => l.GetProperty("declarationNumber").GetString() == number);
        return line.GetProperty("id").GetGuid();
    }

    public static async Task<HashSet<Guid>> MarkHitsAsync(HttpClient client, string text)
    {
        var result = await PostAsync(client, "/api/v1/screening", new { text }, HttpStatusCode.OK);
        return [.. result.GetProperty("results")[0].GetProperty("hits").EnumerateArray()
            .Where(h => h.TryGetProperty("markId", out var id) && id.ValueKind == JsonValueKind.String)
            .Select(h => h.GetProperty("markId").GetGuid())];
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(100, Ct);
        }
    }

    public static string Number() => Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>Six lowercase consonant-free-of-lookalike letters, so that marks of different tests never hit each other.</summary>
    public static string Letters() => new([.. Enumerable.Range(0, 6).Select(_ => "bcdfghjkmnpqrstvwxyz"[Random.Shared.Next(20)])]);

    private static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : text;
}
