using Microsoft.AspNetCore.Identity;
using Tracemark.Core.Accounts;
using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

public static class AccountsSetup
{
    /// <summary>The scheme that picks the API key handler for bearer tokens and the session cookie otherwise.</summary>
    public const string Scheme = "Tracemark";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = PasswordRules.MinimumLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.ClaimsIdentity.UserIdClaimType = TracemarkClaims.User;
                o.ClaimsIdentity.UserNameClaimType = TracemarkClaims.Name;
                o.ClaimsIdentity.RoleClaimType = TracemarkClaims.Role;
            })
            .AddUserStore<UserStore>()
            .AddClaimsPrincipalFactory<AccountClaims>()
            .AddPasswordValidator<PasswordPolicy>()
            .AddSignInManager<TracemarkSignInManager>();

        // Role changes and deactivation reach open sessions within a minute; the session id survives the refresh.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            o.OnRefreshingPrincipal = context =>
            {
                var session = context.CurrentPrincipal?.FindFirst(TracemarkClaims.Session);
                if (session is not null && context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
                {
                    identity.RemoveClaim(identity.FindFirst(TracemarkClaims.Session));
                    identity.AddClaim(session);
                }

                return Task.CompletedTask;
            };
        });

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, Scheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(IdentityConstants.ApplicationScheme, o =>
            {
                o.Cookie.Name = ".Tracemark.Session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.Events.OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync;

                // Machines get status codes (and problem details from the one error path), people get the sign-in page.
                o.Events.OnRedirectToLogin = context =>
                {
                    if (WebPages.WantsPage(context.HttpContext))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }

                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddTracemarkPolicies();
        services.AddScoped<AccountAdmin>();
        services.AddNavigation("/admin/users", "nav.users", "manage_users", 90);
        services.AddNavigation("/admin/api-keys", "nav.api_keys", "manage_api_keys", 91);
        services.AddSingleton<IDemoSeeder, AccountsDemo>();
        return builder;
    }

    public static WebApplication MapAccounts(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }
}
