using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Rights;

/// <summary>An organisation in a test and a client acting for it.</summary>
internal sealed record Party(Guid Id, HttpClient Client);

/// <summary>What the registry's tests share: organisations with clients, JSON bodies, rights and assertions on problem details.</summary>
internal static class RightsWorld
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An organisation with a write API key (or a signed-in administrator when <paramref name="admin"/>).</summary>
    public static async Task<Party> OrgAsync(TracemarkFactory factory, OrganisationKind kind, bool admin = false, string? language = null, string? name = null)
    {
        var id = await Seed.OrganisationAsync(factory, kind, name);
        if (admin)
        {
            var client = await factory.SignedInClientAsync(await Seed.UserAsync(factory, id, Role.OrgAdmin, language: language));
            if (language is not null)
            {
                client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
            }

            return new Party(id, client);
        }

        return new Party(id, factory.ApiClient(await Seed.ApiKeyAsync(factory, id, [ApiScopes.Read, ApiScopes.Write]), language));
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    /// <summary>Records a right and returns it; fails the test with the answer when it is not created.</summary>
    public static async Task<JsonElement> CreateRightAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/api/v1/rights", Json(body), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static object Trademark(string number, string name, string? nameZh = null, int[]? classes = null, string jurisdiction = "CN") => new
    {
        type = "trademark",
        jurisdiction,
        number,
        name,
        nameZh,
        classes = classes ?? [25],
        filed = "2019-01-10",
        registered = "2020-02-20",
        expires = "2030-02-19",
    };

    public static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsync(path, Json(body), Ct);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>A 400 problem detail with an error on <paramref name="field"/> of code <paramref name="code"/>; returns that error.</summary>
    public static async Task<JsonElement> AssertFieldErrorAsync(HttpResponseMessage response, string field, string code, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().ToList();
        var error = errors.FirstOrDefault(e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
        Assert.True(error.ValueKind == JsonValueKind.Object, $"no error {field}/{code} in {body}");
        return error.Clone();
    }

    public static MultipartFormDataContent File(byte[] bytes, string fileName, string claimedType, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(claimedType);
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static async Task<long> CountAsync(TracemarkFactory factory, string table)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    public static bool HasChinese(string text) => text.Any(c => c is >= '\u4E00' and <= '\u9FFF');
}
