using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Net.Http.Headers;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Platform.Idempotency;

/// <summary>Marks endpoints whose POSTs need an <c>Idempotency-Key</c> (see <see cref="IdempotencySetup.RequireIdempotencyKey{T}"/>).</summary>
public sealed class IdempotentEndpoint
{
    public static readonly IdempotentEndpoint Instance = new();

    private IdempotentEndpoint()
    {
    }
}

/// <summary>
/// Marks keyed endpoints that write in a transaction of their own choosing (a batch shared with other requests):
/// the middleware checks the key and hands it on as an <see cref="IdempotencyTicket"/>, and the endpoint's
/// writer claims it, replays or refuses, and stores the answer in its transaction through <see cref="IdempotencyAnswers"/>.
/// </summary>
public sealed class IdempotencyHandOff
{
    public static readonly IdempotencyHandOff Instance = new();

    private IdempotencyHandOff()
    {
    }
}

/// <summary>A checked key handed to the endpoint: who sent it, for what, and the request's fingerprint.</summary>
public sealed record IdempotencyTicket(Guid Organisation, string Principal, string Key, string Method, string Path, byte[] Fingerprint)
{
    internal (Guid, string, string) Identity => (Organisation, Principal, Key);
}

/// <summary>An answer to a keyed request as it was (or will be) stored: status, headers and body bytes.</summary>
public sealed record IdempotentAnswer(int Status, string? ContentType, string? Location, byte[] Body, bool Replayed)
{
    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        if (ContentType is not null)
        {
            context.Response.ContentType = ContentType;
        }

        if (Location is not null)
        {
            context.Response.Headers.Location = Location;
        }

        if (Replayed)
        {
            context.Response.Headers[IdempotencySetup.ReplayedHeader] = "true";
        }

        return context.Response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}

public static class IdempotencySetup
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set on a response that repeats the stored answer to an earlier request with the same key.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How long a key is remembered; a retry after that runs as a new request.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// Every POST of these endpoints (a route group or one endpoint) must carry an <c>Idempotency-Key</c>:
    /// the first request with a key runs, and its successful answer is stored in the same transaction as
    /// the request's changes; the same key with the same request gets that answer again (with
    /// <c>Idempotent-Replayed: true</c>); the same key with another request is refused (422); a duplicate
    /// sent while the first is running waits for it. The endpoint's code must reach the database through
    /// <see cref="Db"/> as the caller, whose transactions then join the request's.
    /// </summary>
    public static TBuilder RequireIdempotencyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(IdempotentEndpoint.Instance));
        return builder;
    }

    public static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.AddHostedService<IdempotencyJanitor>();
        services.AddSingleton<IdempotencyAnswers>();
        return services;
    }

    /// <summary>The endpoint claims the key itself, in the transaction it writes in (see <see cref="IdempotencyHandOff"/>).</summary>
    public static TBuilder HandOffIdempotencyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(IdempotencyHandOff.Instance));
        return builder;
    }

    /// <summary>The key of this request when its endpoint takes it over (<see cref="HandOffIdempotencyKey{TBuilder}"/>).</summary>
    public static IdempotencyTicket? Ticket(this HttpContext context) => context.Features.Get<IdempotencyTicket>();

    /// <summary>After authentication and authorisation: a refused caller never takes a key.</summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();

    /// <summary>A key as clients send it: 1 to 255 visible ASCII characters (a UUID is the usual choice).</summary>
    public static string? ParseKey(FieldRules rules, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            rules.Add(Header, "idempotency.key_required");
            return null;
        }

        if (value.Length > 255 || !value.All(c => c is >= '!' and <= '~'))
        {
            rules.Add(Header, "idempotency.key_invalid");
            return null;
        }

        return value;
    }
}

/// <summary>The stored answer to a request with a key.</summary>
internal sealed record StoredResponse(byte[] RequestSha256, int? Status, string? ContentType, string? Location, byte[]? Response, DateTimeOffset ExpiresAt);

/// <summary>
/// Runs a keyed POST inside one request transaction (<see cref="Db.BeginRequestTransactionAsync"/>) that
/// begins by inserting the key: a concurrent duplicate's insert then waits on the primary key until this
/// request commits (and replays its answer) or rolls back (and runs itself). The answer is buffered and
/// written to the key's row before the commit, so the change and its stored answer exist together or not
/// at all. Only successful answers are stored: a refused request may be corrected and sent again. Answers
/// are kept encrypted with the server's data-protection keys: some carry secrets shown once (a seller's link).
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IDataProtectionProvider protection)
{
    private const int MaxStoredResponse = 4 * 1024 * 1024;
    private readonly StoredAnswerCodec _answers = new(protection);

    public async Task InvokeAsync(HttpContext context, Db db, CallerAccessor callers, TimeProvider clock)
    {
        var caller = callers.Current;
        if (!HttpMethods.IsPost(context.Request.Method) || context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpoint>() is null
            || caller.OrganisationId is not { } organisation)
        {
            await next(context);
            return;
        }

        var rules = new FieldRules();
        var key = IdempotencySetup.ParseKey(rules, context.Request.Headers[IdempotencySetup.Header]);
        rules.ThrowIfAny();
        var principal = caller.ApiKeyId is { } apiKey ? "key:" + apiKey.ToString() : "user:" + caller.UserId?.ToString();
        var fingerprint = await FingerprintAsync(context.Request, context.RequestAborted);
        var cancellationToken = context.RequestAborted;
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyHandOff>() is not null)
        {
            context.Features.Set(new IdempotencyTicket(organisation, principal, key!, context.Request.Method, context.Request.Path.Value ?? "/", fingerprint));
            await next(context);
            return;
        }

        await using var tx = await db.BeginRequestTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var row = new { organisation, principal, key, method = context.Request.Method, path = context.Request.Path.Value ?? "/", fingerprint, now, expires = now + IdempotencySetup.Retention };
        const string Claim = """
            INSERT INTO idempotency_keys AS k (organisation_id, principal, key, method, path, request_sha256, created_at, expires_at)
            VALUES (@organisation, @principal, @key, @method, @path, @fingerprint, @now, @expires)
            ON CONFLICT (organisation_id, principal, key) DO UPDATE
                SET method = excluded.method, path = excluded.path, request_sha256 = excluded.request_sha256, created_at = excluded.created_at,
                    expires_at = excluded.expires_at, status = NULL, content_type = NULL, location = NULL, response = NULL
                WHERE k.expires_at <= excluded.created_at
            RETURNING true
            """;
        // A key past its retention but not yet cleared away is free again: taken over in place, since the
        // application's role may not delete keys (the hourly clearing runs as the owner).
        var claimed = await tx.ExecuteScalarAsync<bool>(Claim, row, cancellationToken);
        if (!claimed)
        {
            var stored = await tx.QuerySingleAsync<StoredResponse>(
                """
                SELECT request_sha256, status, content_type, location, response, expires_at FROM idempotency_keys
                WHERE organisation_id = @organisation AND principal = @principal AND key = @key
                """,
                row,
                cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(stored.RequestSha256, fingerprint))
            {
                throw new RuleViolationException(
                    "idempotency.key_reused",
                    "The Idempotency-Key was already used with a different request.",
                    IdempotencySetup.Header);
            }

            await ReplayAsync(context, stored);
            return;
        }

        var body = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        var status = context.Response.StatusCode;
        if (status is >= 200 and < 300)
        {
            if (tx.Doomed)
            {
                throw new InvalidOperationException("A transaction of a keyed request ended without commit, yet the request succeeded.");
            }

            if (buffer.Length <= MaxStoredResponse)
            {
                await tx.ExecuteAsync(
                    """
                    UPDATE idempotency_keys SET status = @status, content_type = @contentType, location = @location, response = @response
                    WHERE organisation_id = @organisation AND principal = @principal AND key = @key
                    """,
                    new
                    {
                        status,
                        contentType = context.Response.ContentType,
                        location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null,
                        response = _answers.Seal(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)),
                        organisation,
                        principal,
                        key,
                    },
                    cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
            else
            {
                throw new InvalidOperationException("The answer to a keyed request is too large to keep.");
            }
        }

        // Not successful: disposing rolls back the request's changes and the key, so it may be used again.
        buffer.Position = 0;
        await buffer.CopyToAsync(body, cancellationToken);
    }

    private async Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        context.Response.StatusCode = stored.Status ?? StatusCodes.Status200OK;
        if (stored.ContentType is not null)
        {
            context.Response.ContentType = stored.ContentType;
        }

        if (stored.Location is not null)
        {
            context.Response.Headers.Location = stored.Location;
        }

        context.Response.Headers[IdempotencySetup.ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(stored.Response is null ? [] : _answers.Open(stored.Response), context.RequestAborted);
    }

    /// <summary>
    /// What "the same request" means: method, path and body. A multipart body is compared by its fields and
    /// the SHA-256 of its files, since a client retrying an upload may choose a new boundary.
    /// </summary>
    private static async Task<byte[]> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(request.Method + "\n" + request.Path.Value + "\n"));
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var field in form.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes("field\n" + field.Key + "\n" + string.Join("\n", field.Value.ToArray()) + "\n"));
            }

            foreach (var file in form.Files.OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.FileName, StringComparer.Ordinal))
            {
                await using var content = file.OpenReadStream();
                var digest = await SHA256.HashDataAsync(content, cancellationToken);
                hash.AppendData(Encoding.UTF8.GetBytes("file\n" + file.Name + "\n" + file.FileName + "\n" + Convert.ToHexStringLower(digest) + "\n"));
            }

            return hash.GetHashAndReset();
        }

        hash.AppendData(Encoding.UTF8.GetBytes((MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.MediaType.Value : "") + "\n"));
        request.EnableBuffering();
        var chunk = new byte[16_384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }
}

/// <summary>Clears away keys past their retention, once an hour of the application's clock.</summary>
internal sealed class IdempotencyJanitor(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await using var tx = await scope.ServiceProvider.GetRequiredService<Db>().BeginSystemAsync(stoppingToken);
                await tx.ExecuteAsync("DELETE FROM idempotency_keys WHERE expires_at <= @now", new { now = clock.GetUtcNow() }, stoppingToken);
                await tx.CommitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Clearing expired idempotency keys failed");
            }

            try
            {
                await Task.Delay(TimeSpan.FromHours(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// The idempotency records for endpoints that take their key over (<see cref="IdempotencyHandOff"/>): the same
/// rules as the middleware's (claim by inserting the key, replay a stored answer to the same request, refuse the
/// key with another request, free a key past its retention), in the transaction the endpoint writes in, and for
/// many keys at once.
/// </summary>
public sealed class IdempotencyAnswers(IDataProtectionProvider protection)
{
    private const int MaxStoredResponse = 4 * 1024 * 1024;
    private readonly StoredAnswerCodec _answers = new(protection);

    /// <summary>
    /// What became of keys other requests took, read for all of them in one statement: the stored answer to the same
    /// request (replayed), a refusal when the key came with another request, or null when the key is free (never
    /// used, past its retention, or held by a transaction still open: <see cref="ClaimAnsweredManyAsync"/> then waits for it).
    /// </summary>
    public async Task<(IdempotentAnswer? Answer, Exception? Refusal)[]> FindManyAsync(DbTx tx, IReadOnlyList<IdempotencyTicket> tickets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new (IdempotentAnswer?, Exception?)[tickets.Count];
        if (tickets.Count == 0)
        {
            return result;
        }

        // One index probe per key, whatever the plan: as a join, the cached generic plan (which cannot see how few keys
        // come) read all of the organisation's keys per call, more with every filing (docs/benchmarks.md, issue 6).
        // LIMIT 1 (the key is the primary key) keeps the planner from flattening the lateral probe into that join.
        var stored = (await tx.QueryAsync<KeyedResponse>(
            """
            SELECT k.organisation_id, k.principal, k.key, k.request_sha256, k.status, k.content_type, k.location, k.response, k.expires_at
            FROM unnest(@organisations, @principals, @keys) AS u (organisation, principal, key)
            CROSS JOIN LATERAL (
                SELECT * FROM idempotency_keys k
                WHERE k.organisation_id = u.organisation AND k.principal = u.principal AND k.key = u.key AND k.expires_at > @now
                LIMIT 1) k
            """,
            new
            {
                organisations = tickets.Select(t => t.Organisation).ToArray(),
                principals = tickets.Select(t => t.Principal).ToArray(),
                keys = tickets.Select(t => t.Key).ToArray(),
                now,
            },
            cancellationToken)).ToDictionary(k => (k.OrganisationId, k.Principal, k.Key));
        for (var i = 0; i < tickets.Count; i++)
        {
            if (!stored.TryGetValue(tickets[i].Identity, out var found))
            {
                continue;
            }

            result[i] = CryptographicOperations.FixedTimeEquals(found.RequestSha256, tickets[i].Fingerprint)
                ? (new IdempotentAnswer(found.Status ?? StatusCodes.Status200OK, found.ContentType, found.Location, found.Response is null ? [] : _answers.Open(found.Response), Replayed: true), null)
                : (null, new RuleViolationException("idempotency.key_reused", "The Idempotency-Key was already used with a different request.", IdempotencySetup.Header));
        }

        return result;
    }

    /// <summary>
    /// Takes the keys of requests just answered together with their answers, in one statement (sorted, so two batches
    /// that share keys wait for each other rather than deadlock); a key past its retention is taken over. One insert
    /// rather than a claim and a later update: the answer is known by then, and the update rewrote each ~5 KB row (and
    /// re-ran its foreign-key check). The transaction that holds a key holds it until its commit either way, so a
    /// concurrent request with the same key waits here and then replays. Answers whether this transaction now holds
    /// each key: false when another request took it since <see cref="FindManyAsync"/> looked (the caller then rolls
    /// back what it wrote).
    /// </summary>
    public async Task<bool[]> ClaimAnsweredManyAsync(DbTx tx, IReadOnlyList<(IdempotencyTicket Ticket, IdempotentAnswer Answer)> answers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (answers.Count == 0)
        {
            return [];
        }

        if (answers.Any(a => a.Answer.Body.Length > MaxStoredResponse))
        {
            throw new InvalidOperationException("The answer to a keyed request is too large to keep.");
        }

        var order = Enumerable.Range(0, answers.Count)
            .OrderBy(i => answers[i].Ticket.Principal, StringComparer.Ordinal).ThenBy(i => answers[i].Ticket.Key, StringComparer.Ordinal).Select(i => answers[i]).ToArray();
        var claimed = (await tx.QueryAsync<(string Principal, string Key)>(
            """
            INSERT INTO idempotency_keys AS k (organisation_id, principal, key, method, path, request_sha256, created_at, expires_at, status, content_type, location, response)
            SELECT u.organisation, u.principal, u.key, u.method, u.path, u.sha, @now, @expires, u.status, u.content_type, u.location, u.response
            FROM unnest(@organisations, @principals, @keys, @methods, @paths, @shas, @statuses, @contentTypes, @locations, @responses)
                 WITH ORDINALITY AS u (organisation, principal, key, method, path, sha, status, content_type, location, response, n)
            ORDER BY u.n
            ON CONFLICT (organisation_id, principal, key) DO UPDATE
                SET method = excluded.method, path = excluded.path, request_sha256 = excluded.request_sha256, created_at = excluded.created_at,
                    expires_at = excluded.expires_at, status = excluded.status, content_type = excluded.content_type, location = excluded.location,
                    response = excluded.response
                WHERE k.expires_at <= excluded.created_at
            RETURNING k.principal, k.key
            """,
            new
            {
                organisations = order.Select(a => a.Ticket.Organisation).ToArray(),
                principals = order.Select(a => a.Ticket.Principal).ToArray(),
                keys = order.Select(a => a.Ticket.Key).ToArray(),
                methods = order.Select(a => a.Ticket.Method).ToArray(),
                paths = order.Select(a => a.Ticket.Path).ToArray(),
                shas = order.Select(a => a.Ticket.Fingerprint).ToArray(),
                statuses = order.Select(a => a.Answer.Status).ToArray(),
                contentTypes = order.Select(a => a.Answer.ContentType).ToArray(),
                locations = order.Select(a => a.Answer.Location).ToArray(),
                responses = order.Select(a => _answers.Seal(a.Answer.Body)).ToArray(),
                now,
                expires = now + IdempotencySetup.Retention,
            },
            cancellationToken)).ToHashSet();
        return answers.Select(a => claimed.Contains((a.Ticket.Principal, a.Ticket.Key))).ToArray();
    }

    private sealed record KeyedResponse(Guid OrganisationId, string Principal, string Key, byte[] RequestSha256, int? Status, string? ContentType, string? Location, byte[]? Response, DateTimeOffset ExpiresAt);
}
