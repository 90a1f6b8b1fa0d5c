using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Notifications.Webhooks;

/// <summary>
/// How a webhook is signed, for senders and receivers alike: HMAC-SHA256 with the endpoint's secret over
/// "<c>{timestamp}.{body}</c>", sent as <c>Tracemark-Signature: t={timestamp},v1={hex}</c>. The timestamp (Unix
/// seconds) is signed with the body, so a receiver that refuses old timestamps also refuses replays.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Tracemark-Signature";
    public const string EventHeader = "Tracemark-Event";
    public const string DeliveryHeader = "Tracemark-Delivery";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return string.Create(CultureInfo.InvariantCulture, $"t={timestamp},v1={Convert.ToHexStringLower(mac)}");
    }

    /// <summary>Whether <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/>, made within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (header is null)
        {
            return false;
        }

        long? timestamp = null;
        string? signature = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(part.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                signature = part[3..];
            }
        }

        if (timestamp is null || signature is null || Math.Abs(now.ToUnixTimeSeconds() - timestamp.Value) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Sign(secret, timestamp.Value, body);
        var expectedMac = expected[(expected.IndexOf("v1=", StringComparison.Ordinal) + 3)..];
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expectedMac), Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>
/// The outbox channel "webhook": POSTs a notification as JSON to its recipient's endpoint, signed (see
/// <see cref="WebhookSignature"/>). A failed or refused delivery throws, so the dispatcher retries it with
/// its backoff; every attempt is logged in webhook_deliveries for the recipient's administrators.
/// </summary>
public sealed class WebhookChannel(
    IServiceScopeFactory scopes,
    IHttpClientFactory http,
    IDataProtectionProvider protection,
    TimeProvider clock,
    ILogger<WebhookChannel> logger) : INotificationChannel
{
    public const string ChannelName = "webhook";
    public const string HttpClientName = "webhooks";
    public const string ProtectorPurpose = "Tracemark.Webhooks.Secret.v1";

    public string Name => ChannelName;

    public async Task DeliverAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        Endpoint? endpoint;
        await using (var tx = await db.BeginSystemAsync(cancellationToken))
        {
            endpoint = await tx.QuerySingleOrDefaultAsync<Endpoint>(
                "SELECT url, secret_protected, enabled FROM webhook_endpoints WHERE organisation_id = @RecipientOrgId",
                item,
                cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        if (endpoint is not { Enabled: true })
        {
            // The endpoint was removed or switched off after the event: there is nowhere to deliver to.
            await LogAsync(db, item, endpoint?.Url ?? "-", null, "no enabled endpoint", 0, cancellationToken);
            return;
        }

        var body = Body(item);
        var secret = protection.CreateProtector(ProtectorPurpose).Unprotect(endpoint.SecretProtected);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, clock.GetUtcNow().ToUnixTimeSeconds(), body));
        request.Headers.Add(WebhookSignature.EventHeader, item.Kind);
        request.Headers.Add(WebhookSignature.DeliveryHeader, item.Id.ToString());
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"the endpoint answered {status}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
        }

        var duration = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await LogAsync(db, item, endpoint.Url, status, error, duration, cancellationToken);
        if (error is not null)
        {
            logger.LogInformation("Webhook {Id} ({Kind}) to {Url} failed: {Error}", item.Id, item.Kind, endpoint.Url, error);
            throw new HttpRequestException(error);
        }
    }

    /// <summary>The JSON a receiver gets: the notification's id (stable across retries), its kind, its subject and its facts.</summary>
    public static byte[] Body(OutboxItem item)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", item.Id);
            json.WriteString("type", item.Kind);
            if (item.SubjectType is not null)
            {
                json.WriteStartObject("subject");
                json.WriteString("type", item.SubjectType);
                json.WriteString("id", item.SubjectId);
                json.WriteEndObject();
            }

            json.WritePropertyName("data");
            json.WriteRawValue(item.Payload);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static async Task LogAsync(Db db, OutboxItem item, string url, int? status, string? error, int duration, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        await tx.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (notification_id, organisation_id, event, url, attempt, attempted_at, status_code, error, duration_ms)
            VALUES (@Id, @RecipientOrgId, @Kind, @url, @attempt, tm_now(), @status, left(@error, 2000), @duration)
            """,
            new { item.Id, item.RecipientOrgId, item.Kind, url, attempt = item.Attempts + 1, status, error, duration },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private sealed record Endpoint(string Url, string SecretProtected, bool Enabled);
}

/// <summary>
/// Writes webhook rows into the outbox in the cause's transaction, only for organisations that registered an
/// endpoint wanting the event, so that organisations without one cost nothing.
/// </summary>
public sealed class WebhookOutbox(NotificationOutbox outbox)
{
    public async Task<bool> AddAsync(DbTx tx, Guid organisationId, string eventKind, object payload, string? subjectType, string? subjectId, string? dedupeKey, CancellationToken cancellationToken)
    {
        if (!await tx.ExecuteScalarAsync<bool>("SELECT tm_webhook_wanted(@organisationId, @eventKind)", new { organisationId, eventKind }, cancellationToken))
        {
            return false;
        }

        return await outbox.AddAsync(tx, new NewNotification(eventKind, organisationId, payload, subjectType, subjectId, DedupeKey: dedupeKey, Channel: WebhookChannel.ChannelName), cancellationToken);
    }

    /// <summary>Which of the (organisation, event) pairs an endpoint wants, asked in one round trip.</summary>
    public static async Task<HashSet<(Guid Organisation, string EventKind)>> WantedAsync(DbTx tx, IReadOnlyCollection<(Guid Organisation, string EventKind)> pairs, CancellationToken cancellationToken) =>
        pairs.Count == 0
            ? []
            : (await tx.QueryAsync<(Guid, string)>(
                "SELECT u.o, u.k FROM unnest(@organisations, @kinds) AS u (o, k) WHERE tm_webhook_wanted(u.o, u.k)",
                new { organisations = pairs.Select(p => p.Organisation).ToArray(), kinds = pairs.Select(p => p.EventKind).ToArray() },
                cancellationToken)).ToHashSet();

    /// <summary>The same event for several organisations, asking in one round trip which of them want it.</summary>
    public async Task AddAsync(DbTx tx, IReadOnlyList<Guid> organisations, string eventKind, object payload, string? subjectType, string? subjectId, CancellationToken cancellationToken)
    {
        var wanted = await tx.QueryAsync<Guid>(
            "SELECT u.o FROM unnest(@organisations) WITH ORDINALITY AS u (o, n) WHERE tm_webhook_wanted(u.o, @eventKind) ORDER BY u.n",
            new { organisations = organisations.ToArray(), eventKind },
            cancellationToken);
        foreach (var organisation in wanted)
        {
            await outbox.AddAsync(tx, new NewNotification(eventKind, organisation, payload, subjectType, subjectId, Channel: WebhookChannel.ChannelName), cancellationToken);
        }
    }
}
