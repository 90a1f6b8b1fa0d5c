using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracemark.Core.Accounts;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Accounts;

/// <summary>
/// API keys look like <c>tmk_&lt;prefix&gt;_&lt;secret&gt;</c>. The prefix finds the row; only a SHA-256 of the
/// 256-bit secret is stored (a slow hash buys nothing for a random secret of that size), compared in
/// constant time. The whole key is shown once, when created.
/// </summary>
public static class ApiKeyFormat
{
    public const string Marker = "tmk_";
    private const string PrefixAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static (string Prefix, string Secret, string Key) Generate()
    {
        var prefix = new string(RandomNumberGenerator.GetItems<char>(PrefixAlphabet, 12));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (prefix, secret, $"{Marker}{prefix}_{secret}");
    }

    public static bool TryParse(string? key, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (key is null || !key.StartsWith(Marker, StringComparison.Ordinal) || key.Length != Marker.Length + 12 + 1 + 43 || key[Marker.Length + 12] != '_')
        {
            return false;
        }

        prefix = key.Substring(Marker.Length, 12);
        secret = key[(Marker.Length + 13)..];
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>Authenticates `Authorization: Bearer tmk_…` as the key's organisation, with the key's scopes.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    NpgsqlDataSource dataSource,
    TimeProvider clock)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string FailureItem = "tracemark.api_key_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        await using var connection = await dataSource.OpenConnectionAsync(Context.RequestAborted);
        var (principal, failure) = await AuthenticateAsync(connection, header["Bearer ".Length..].Trim(), clock.GetUtcNow(), Context.Connection.RemoteIpAddress?.ToString(), Context.RequestAborted);
        if (principal is null)
        {
            return Fail(failure!);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var code = Context.Items[FailureItem] as string ?? "auth.required";
        Response.Headers.WWWAuthenticate = code == "auth.required" ? "Bearer" : "Bearer error=\"invalid_token\"";
        var problems = Context.RequestServices.GetRequiredService<Problems>();
        await Problems.WriteAsync(Context, problems.Create(Context, StatusCodes.Status401Unauthorized, code, []));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var problems = Context.RequestServices.GetRequiredService<Problems>();
        await Problems.WriteAsync(Context, problems.Create(Context, StatusCodes.Status403Forbidden, "auth.forbidden", []));
    }

    /// <summary>
    /// Checks a presented key (format, secret, revocation, expiry, organisation) and gives the principal it
    /// acts as, or the failure code. The command line uses it too, so a key means the same everywhere.
    /// </summary>
    public static async Task<(ClaimsPrincipal? Principal, string? Failure)> AuthenticateAsync(
        NpgsqlConnection connection, string presented, DateTimeOffset now, string? address, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(presented, out var prefix, out var secret))
        {
            return (null, "auth.api_key_invalid");
        }

        var key = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            """
            SELECT k.id, k.organisation_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,
                   o.kind AS organisation_kind, o.is_active AS organisation_active, n.is_local AS organisation_local, k.name
            FROM api_keys k JOIN organisations o ON o.id = k.organisation_id JOIN nodes n ON n.id = o.node_id
            WHERE k.prefix = @prefix
            """,
            new { prefix },
            cancellationToken: cancellationToken));
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.SecretHash, ApiKeyFormat.Hash(secret)))
        {
            return (null, "auth.api_key_invalid");
        }

        if (key.RevokedAt is not null)
        {
            return (null, "auth.api_key_revoked");
        }

        if (key.ExpiresAt <= now)
        {
            return (null, "auth.api_key_expired");
        }

        if (!key.OrganisationActive)
        {
            return (null, "auth.organisation_inactive");
        }

        // Recording every use would turn each read into a write; a minute's precision is enough to see a key is alive.
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET last_used_at = @now, last_used_address = @address WHERE id = @id",
                new { now, address, id = key.Id },
                cancellationToken: cancellationToken));
        }

        // Keys act with an officer's rights when they may write, a viewer's otherwise; never an administrator's.
        var claims = new List<Claim>
        {
            new(TracemarkClaims.Name, key.Name),
            new(TracemarkClaims.Organisation, key.OrganisationId.ToString()),
            new(TracemarkClaims.OrganisationKind, key.OrganisationKind),
            new(TracemarkClaims.OrganisationIsLocal, key.OrganisationLocal ? "true" : "false"),
            new(TracemarkClaims.Role, (key.Scopes.Contains(ApiScopes.Write, StringComparer.Ordinal) ? Role.Officer : Role.Viewer).ToWire()),
            new(TracemarkClaims.ApiKey, key.Id.ToString()),
        };
        claims.AddRange(key.Scopes.Select(s => new Claim(TracemarkClaims.Scope, s)));
        return (new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, TracemarkClaims.Name, TracemarkClaims.Role)), null);
    }

    private AuthenticateResult Fail(string code)
    {
        Context.Items[FailureItem] = code;
        return AuthenticateResult.Fail(code);
    }

    private sealed record KeyRow(
        Guid Id, Guid OrganisationId, byte[] SecretHash, string[] Scopes, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt,
        DateTimeOffset? LastUsedAt, string OrganisationKind, bool OrganisationActive, bool OrganisationLocal, string Name);
}
