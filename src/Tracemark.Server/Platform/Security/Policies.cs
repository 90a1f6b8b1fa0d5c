using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Tracemark.Server.Platform.Security;

/// <summary>
/// The authorisation policies. Every endpoint and page requires <see cref="Reader"/> unless it says
/// otherwise (the fallback policy), so a new endpoint is closed by default; which records a caller
/// sees is then decided by row-level security in the database, not by the endpoint.
/// </summary>
public static class Policies
{
    /// <summary>Signed in or holding a valid API key, in any role.</summary>
    public const string Reader = "reader";

    /// <summary>Creates and changes its organisation's records: officers and administrators, or API keys with the write scope.</summary>
    public const string Writer = "writer";

    /// <summary>Administers its organisation (users, API keys, sharing groups, audit): a person, never an API key.</summary>
    public const string OrgAdmin = "org-admin";

    /// <summary>Manages organisations and reads the whole audit trail.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>An organisation administrator or the platform administrator (the audit trail).</summary>
    public const string Auditor = "auditor";

    public static IServiceCollection AddTracemarkPolicies(this IServiceCollection services)
    {
        var reader = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(TracemarkClaims.Organisation).Build();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(reader)
            .AddPolicy(Reader, reader)
            .AddPolicy(Writer, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.From(c.User, null).CanWrite))
            .AddPolicy(OrgAdmin, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.From(c.User, null).IsOrgAdmin))
            .AddPolicy(PlatformAdmin, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.From(c.User, null) is { IsPlatformAdmin: true, ApiKeyId: null }))
            .AddPolicy(Auditor, p => p.RequireAuthenticatedUser().RequireAssertion(c => Caller.From(c.User, null) is { ApiKeyId: null } caller && (caller.IsOrgAdmin || caller.IsPlatformAdmin)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, UnmatchedRequestsPassThrough>();
        return services;
    }
}

/// <summary>
/// The fallback policy also applies to requests that matched no endpoint (an unknown path, or the
/// framework's 405 rejection). There is nothing to protect there, and the caller should learn "not found"
/// or "method not allowed" rather than "sign in": those requests go on to the error path.
/// </summary>
internal sealed class UnmatchedRequestsPassThrough : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        context.GetEndpoint() is RouteEndpoint || authorizeResult.Succeeded
            ? _default.HandleAsync(next, context, policy, authorizeResult)
            : next(context);
}
