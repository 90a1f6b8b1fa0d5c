using System.Collections.Concurrent;
using System.Net;
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
using Tracemark.Server.Complaints;
using Tracemark.Server.Notifications;
using Tracemark.Server.Notifications.Webhooks;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// The server without its timers (the test runs the sweep and the outbox when it wants), with webhooks
/// delivered to an in-memory receiver that records them and can be told to fail.
/// </summary>
public sealed class ComplaintsFactory : TracemarkFactory
{
    public WebhookReceiver Receiver { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            foreach (var worker in services.Where(s => s.ServiceType == typeof(IHostedService)
                && (s.ImplementationType == typeof(NotificationWorker) || s.ImplementationType == typeof(ComplaintSweepWorker))).ToList())
            {
                services.Remove(worker);
            }

            services.AddHttpClient(WebhookChannel.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Receiver);
        });
    }

    public async Task<SweepResult> SweepAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ComplaintSweep>().RunOnceAsync(TestContext.Current.CancellationToken);
    }

    public async Task<(int Created, int Delivered)> DispatchAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotificationDispatcher>().RunOnceAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>A webhook endpoint in memory: records every request; answers 500 while <see cref="FailuresLeft"/> is above zero.</summary>
public sealed class WebhookReceiver : HttpMessageHandler
{
    public ConcurrentQueue<(string Url, string Body, IReadOnlyDictionary<string, string> Headers)> Received { get; } = new();

    public int FailuresLeft { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Received.Enqueue((request.RequestUri!.ToString(), body, headers));
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            return new HttpResponseMessage(HttpStatusCode.InternalServerError);
        }

        return new HttpResponseMessage(HttpStatusCode.NoContent);
    }
}

/// <summary>An organisation in a complaints test: its id, a write API key's client, and (when asked) a signed-in administrator's client.</summary>
internal sealed record Actor(Guid Id, HttpClient Client, HttpClient? Admin = null);

/// <summary>A rights holder with a registered trademark, a platform that takes notices for its domain, and helpers to file and act.</summary>
internal sealed class ComplaintsWorld
{
    public const string Domain = "shop.test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ComplaintsWorld(TracemarkFactory factory, Actor holder, Actor platform, Guid right, string mark)
    {
        Factory = factory;
        Holder = holder;
        Platform = platform;
        Right = right;
        Mark = mark;
    }

    public TracemarkFactory Factory { get; }

    public Actor Holder { get; }

    public Actor Platform { get; }

    public Guid Right { get; }

    public string Mark { get; }

    /// <summary>A holder with a CN trademark named <paramref name="mark"/>, and a platform under <paramref name="jurisdiction"/>'s rules for <see cref="Domain"/>.</summary>
    public static async Task<ComplaintsWorld> CreateAsync(TracemarkFactory factory, string jurisdiction = "CN", string? mark = null, string? language = null)
    {
        mark ??= "Zephyrine" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var holder = await ActorAsync(factory, OrganisationKind.RightsHolder, language);
        var platform = await ActorAsync(factory, OrganisationKind.Platform, language);
        await using (var connection = await factory.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, updated_at) VALUES (@id, @jurisdiction, @domains, now())",
                new { id = platform.Id, jurisdiction, domains = new[] { Domain } });
        }

        var right = await RightAsync(holder.Client, mark);
        await WaitForMarkAsync(holder.Client, mark);
        return new ComplaintsWorld(factory, holder, platform, right, mark);
    }

    public static async Task<Actor> ActorAsync(TracemarkFactory factory, OrganisationKind kind, string? language = null, bool admin = false)
    {
        var id = await Seed.OrganisationAsync(factory, kind);
        var client = factory.ApiClient(await Seed.ApiKeyAsync(factory, id, [ApiScopes.Read, ApiScopes.Write], factory.Clock.GetUtcNow().AddYears(10)), language);
        HttpClient? adminClient = null;
        if (admin)
        {
            adminClient = await factory.SignedInClientAsync(await Seed.UserAsync(factory, id, Role.OrgAdmin, language: language));
            if (language is not null)
            {
                adminClient.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
            }
        }

        return new Actor(id, client, adminClient);
    }

    public static async Task<Guid> RightAsync(HttpClient holder, string name, string status = "registered", string expires = "2034-02-19", string type = "trademark")
    {
        var body = type == "trademark"
            ? (object)new { type, jurisdiction = "CN", number = Number(), name, classes = new[] { 25 }, filed = "2019-01-10", registered = "2020-02-20", expires, status, distribution = "organisation" }
            : new { type, jurisdiction = "CN", number = "ZL" + Number(), name, filed = "2019-01-10", registered = "2020-02-20", expires, status, distribution = "organisation" };
        var response = await holder.PostAsync("/api/v1/rights", Json(body), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    /// <summary>Marks reach the screening lexicon through a database notification; waits until this one is screened for.</summary>
    public static async Task WaitForMarkAsync(HttpClient client, string mark)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var result = await (await client.PostAsync("/api/v1/screening", Json(new { text = mark }), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
            if (result.GetProperty("results")[0].GetProperty("hits").GetArrayLength() > 0)
            {
                return;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail($"The mark {mark} never reached the screening lexicon.");
    }

    public object Notice(string listingId, string? title = null, string seller = "shop-88", string kind = "counterfeit", Guid[]? rights = null, object[]? evidence = null, string? snapshot = null) => new
    {
        platformId = Platform.Id,
        kind,
        rightIds = rights ?? [Right],
        listings = new[]
        {
            new
            {
                listingId,
                url = $"https://www.{Domain}/item/{listingId}",
                sellerId = seller,
                sellerName = "星光小店",
                title = title ?? $"{Mark} down jacket 1:1 replica",
                price = 199.00m,
                currency = "CNY",
                snapshotText = snapshot ?? $"{Mark} 羽绒服 高仿 原单 — listing {listingId}",
                imageSha256s = Array.Empty<string>(),
            },
        },
        evidence = evidence ?? [],
        goodFaith = true,
        signature = "Li Wei, IP counsel",
    };

    public async Task<JsonElement> FileAsync(object notice, HttpClient? client = null) =>
        await PostAsync(client ?? Holder.Client, "/api/v1/complaints/notices", notice, HttpStatusCode.Created);

    /// <summary>
    /// Files a notice and takes it to counter_notice_forwarded (removed, countered, forwarded by the platform): the
    /// state the sweep restores from. Answers the notice's id and its restore date.
    /// </summary>
    public async Task<(string Id, DateTimeOffset RestoreNotBefore)> ForwardedAsync(string listingId, string seller)
    {
        var id = Id(await FileAsync(Notice(listingId, seller: seller)));
        await PostAsync(Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
        await PostAsync(Platform.Client, $"/api/v1/complaints/notices/{id}/counter-notice", new { statement = "Genuine.", sellerName = "Shop", sellerContact = "s@example.com", affirmed = true });
        var forwarded = await PostAsync(Platform.Client, $"/api/v1/complaints/notices/{id}/forward", null);
        return (id, forwarded.GetProperty("deadlines").GetProperty("restoreNotBefore").GetDateTimeOffset());
    }

    public static async Task<JsonElement> PostAsync(HttpClient client, string path, object? body, HttpStatusCode expected = HttpStatusCode.OK, string? key = null)
    {
        var response = await SendAsync(client, path, body, key);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A POST of the machine API, with an Idempotency-Key (a new one unless given).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, object? body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body ?? new { }) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>A member that may be left out when null (the API writes no nulls).</summary>
    public static JsonElement? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string Id(JsonElement notice) => notice.GetProperty("id").GetString()!;

    public static string State(JsonElement notice) => notice.GetProperty("state").GetString()!;

    public static string[] Timeline(JsonElement notice) => notice.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray();

    public static string Number() => Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
