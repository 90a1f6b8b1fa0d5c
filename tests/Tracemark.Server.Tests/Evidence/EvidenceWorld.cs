using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Evidence;

namespace Tracemark.Server.Tests.Evidence;

/// <summary>The server without its tree-head signer, so that a test alone decides when a tree head is signed.</summary>
public sealed class EvidenceFactory : TracemarkFactory
{
    public EvidenceLedger Ledger => Services.GetRequiredService<EvidenceLedger>();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();

        // Without the signer nothing opens the ledger before the first request; tests read it before that.
        await Ledger.EnsureOpenAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Signs the log's current head, as the signer would within a second, and makes sure the database holds a tree
    /// head. After <see cref="TracemarkFactory.ResetAsync"/> the database is new while the ledger still remembers
    /// having signed its head, so signing alone may write nothing, and the first receipt asked for would then sign
    /// on demand a head that already covers leaves a test expects to be unsigned.
    /// </summary>
    public async Task SignAsync()
    {
        await Ledger.SignPendingAsync(TestContext.Current.CancellationToken);
        using var client = CreateClient();
        (await client.GetAsync("/api/v1/ledger/tree-head", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
            services.Remove(services.Single(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(TreeHeadSigner))));
    }
}

/// <summary>An organisation in a test and a client acting for it.</summary>
internal sealed record Org(Guid Id, HttpClient Client);

/// <summary>What the evidence tests share: organisations with clients, records to attach evidence to, uploads.</summary>
internal static class EvidenceWorld
{
    public static readonly DateTimeOffset CollectedAt = new(2026, 3, 1, 14, 30, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An organisation with a read-and-write API key.</summary>
    public static async Task<Org> OrgAsync(TracemarkFactory factory, OrganisationKind kind, bool abroad = false, string? language = null)
    {
        var id = await Seed.OrganisationAsync(factory, kind, onPartnerNode: abroad);
        return new Org(id, factory.ApiClient(await Seed.ApiKeyAsync(factory, id, [ApiScopes.Read, ApiScopes.Write]), language));
    }

    /// <summary>An alert of <paramref name="owner"/> shared at <paramref name="distribution"/>.</summary>
    public static async Task<Guid> AlertAsync(TracemarkFactory factory, Guid owner, string distribution)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, title, body, severity, created_at, updated_at)
            VALUES (@id, @owner, (SELECT id FROM nodes WHERE is_local), @distribution, 'Seized tablets', 'b', 'high', now(), now())
            """,
            new { id, owner, distribution });
        return id;
    }

    /// <summary>A small picture nobody else uploads: its colour comes from a fresh random number.</summary>
    public static byte[] UniquePicture() => TestImages.Png((byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), width: Random.Shared.Next(4, 64));

    public static MultipartFormDataContent Form(byte[]? file, string fileName = "seized.png", IDictionary<string, string>? fields = null)
    {
        var form = new MultipartFormDataContent();
        if (file is not null)
        {
            var content = new ByteArrayContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", fileName);
        }

        foreach (var (name, value) in fields ?? Fields())
        {
            form.Add(new StringContent(value, Encoding.UTF8), name);
        }

        return form;
    }

    public static Dictionary<string, string> Fields(Guid? alert = null, string? collectedAt = null)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["collectedBy"] = "Officer Lin Qiao",
            ["collectedAt"] = collectedAt ?? CollectedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["collectedWhere"] = "Express Mail Centre, bay 2",
            ["collectionMethod"] = "Photographed beside the seal",
        };
        if (alert is { } id)
        {
            fields["recordType"] = "alert";
            fields["recordId"] = id.ToString();
        }

        return fields;
    }

    /// <summary>Uploads a file and returns the created evidence; fails the test with the answer otherwise.</summary>
    public static async Task<JsonElement> UploadAsync(HttpClient client, byte[] file, IDictionary<string, string>? fields = null, string fileName = "seized.png")
    {
        var response = await client.PostAsync("/api/v1/evidence", Form(file, fileName, fields ?? Fields()), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, object body, HttpStatusCode expected)
    {
        var response = await client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), Ct);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>The field errors of a 400 problem detail, as "field:code".</summary>
    public static async Task<List<string>> FieldErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        using var problem = JsonDocument.Parse(body);
        return [.. problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString() + ":" + e.GetProperty("code").GetString())];
    }

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;

    public static string Sha256(this JsonElement element) => element.GetProperty("sha256").GetString()!;

    public static List<string> Kinds(this JsonElement evidence) =>
        [.. evidence.GetProperty("custody").EnumerateArray().Select(c => c.GetProperty("kind").GetString()!)];

    public static List<long> LeafIndices(this JsonElement evidence) =>
        [.. evidence.GetProperty("custody").EnumerateArray().Select(c => c.GetProperty("leafIndex").GetInt64())];
}
