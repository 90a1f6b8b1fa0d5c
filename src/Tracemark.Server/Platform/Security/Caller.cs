using System.Globalization;
using System.Security.Claims;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Platform.Security;

/// <summary>
/// Who is calling: a signed-in user, an API key, or nobody. Built once per request from the claims
/// that the cookie or the API key handler produced; the database session and the audit trail read it.
/// </summary>
public sealed record Caller
{
    public static readonly Caller Anonymous = new();

    public Guid? UserId { get; init; }

    public string? DisplayName { get; init; }

    public Guid? OrganisationId { get; init; }

    public OrganisationKind? OrganisationKind { get; init; }

    /// <summary>The caller's organisation is on this node (node-level records are visible to it).</summary>
    public bool OrganisationIsLocal { get; init; }

    public Role? Role { get; init; }

    public bool IsPlatformAdmin { get; init; }

    public Guid? ApiKeyId { get; init; }

    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public string? SessionId { get; init; }

    public string? ClientAddress { get; init; }

    public bool IsAuthenticated => OrganisationId is not null;

    /// <summary>May create and change its organisation's records.</summary>
    public bool CanWrite => Role is Core.Accounts.Role.Officer or Core.Accounts.Role.OrgAdmin
        && (ApiKeyId is null || Scopes.Contains(ApiScopes.Write));

    /// <summary>Administers its organisation: a person, never an API key.</summary>
    public bool IsOrgAdmin => Role == Core.Accounts.Role.OrgAdmin && ApiKeyId is null && UserId is not null;

    public static Caller From(ClaimsPrincipal principal, string? clientAddress)
    {
        if (principal.Identity?.IsAuthenticated != true || !Guid.TryParse(principal.FindFirstValue(TracemarkClaims.Organisation), out var organisation))
        {
            return Anonymous with { ClientAddress = clientAddress };
        }

        return new Caller
        {
            UserId = Guid.TryParse(principal.FindFirstValue(TracemarkClaims.User), out var user) ? user : null,
            DisplayName = principal.FindFirstValue(TracemarkClaims.Name),
            OrganisationId = organisation,
            OrganisationKind = OrganisationKinds.TryParse(principal.FindFirstValue(TracemarkClaims.OrganisationKind), out var kind) ? kind : null,
            OrganisationIsLocal = string.Equals(principal.FindFirstValue(TracemarkClaims.OrganisationIsLocal), "true", StringComparison.Ordinal),
            Role = Roles.TryParse(principal.FindFirstValue(TracemarkClaims.Role), out var role) ? role : null,
            IsPlatformAdmin = string.Equals(principal.FindFirstValue(TracemarkClaims.PlatformAdmin), "true", StringComparison.Ordinal),
            ApiKeyId = Guid.TryParse(principal.FindFirstValue(TracemarkClaims.ApiKey), out var key) ? key : null,
            Scopes = principal.FindAll(TracemarkClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            SessionId = principal.FindFirstValue(TracemarkClaims.Session),
            ClientAddress = clientAddress,
        };
    }

    public string RoleText => IsPlatformAdmin ? "platform_admin" : Role?.ToWire() ?? "anonymous";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{RoleText}@{OrganisationId}");
}

/// <summary>Claim types Tracemark issues, for both cookie sessions and API keys.</summary>
public static class TracemarkClaims
{
    public const string User = "sub";
    public const string Name = "name";
    public const string Organisation = "org";
    public const string OrganisationKind = "org_kind";
    public const string OrganisationIsLocal = "org_local";
    public const string Role = "role";
    public const string PlatformAdmin = "platform_admin";
    public const string ApiKey = "api_key";
    public const string Scope = "scope";
    public const string Session = "sid";
    public const string Language = "lang";
}

/// <summary>The current request's caller; outside a request (background work) it is anonymous.</summary>
public sealed class CallerAccessor(IHttpContextAccessor http)
{
    private Caller? _caller;

    public Caller Current
    {
        get
        {
            if (_caller is not null)
            {
                return _caller;
            }

            var context = http.HttpContext;
            return context is null ? Caller.Anonymous : _caller = Caller.From(context.User, context.Connection.RemoteIpAddress?.ToString());
        }
    }
}
