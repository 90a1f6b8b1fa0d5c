using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracemark.Core.Accounts;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Accounts;

/// <summary>Where a user's organisation stands, read at sign-in and at every security-stamp refresh.</summary>
internal sealed record OrganisationStanding(string Kind, bool IsLocal, bool IsActive);

internal static class OrganisationStandings
{
    public static async Task<OrganisationStanding?> ReadAsync(NpgsqlDataSource dataSource, Guid organisationId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<OrganisationStanding>(
            "SELECT o.kind, n.is_local, o.is_active FROM organisations o JOIN nodes n ON n.id = o.node_id WHERE o.id = @organisationId",
            new { organisationId });
    }
}

/// <summary>The claims of a signed-in user: the same ones an API key gets, so <see cref="Caller"/> reads both alike.</summary>
public sealed class AccountClaims(NpgsqlDataSource dataSource, IOptions<IdentityOptions> options) : IUserClaimsPrincipalFactory<AppUser>
{
    public async Task<ClaimsPrincipal> CreateAsync(AppUser user)
    {
        var organisation = await OrganisationStandings.ReadAsync(dataSource, user.OrganisationId)
            ?? throw new InvalidOperationException($"User {user.Id} belongs to a missing organisation.");
        var claims = new List<Claim>
        {
            new(TracemarkClaims.User, user.Id.ToString()),
            new(TracemarkClaims.Name, user.DisplayName),
            new(TracemarkClaims.Organisation, user.OrganisationId.ToString()),
            new(TracemarkClaims.OrganisationKind, organisation.Kind),
            new(TracemarkClaims.OrganisationIsLocal, organisation.IsLocal ? "true" : "false"),
            new(TracemarkClaims.Role, user.Role.ToWire()),
            new(TracemarkClaims.Session, Guid.NewGuid().ToString("N")),
            new(options.Value.ClaimsIdentity.SecurityStampClaimType, user.SecurityStamp),
        };
        if (user.IsPlatformAdmin)
        {
            claims.Add(new Claim(TracemarkClaims.PlatformAdmin, "true"));
        }

        if (user.PreferredLanguage is not null)
        {
            claims.Add(new Claim(TracemarkClaims.Language, user.PreferredLanguage));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, IdentityConstants.ApplicationScheme, TracemarkClaims.Name, TracemarkClaims.Role));
    }
}

/// <summary>Refuses sign-in (and ends sessions at the next stamp check) for deactivated users and organisations.</summary>
public sealed class TracemarkSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    NpgsqlDataSource dataSource)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user)
    {
        if (!user.IsActive)
        {
            return false;
        }

        var organisation = await OrganisationStandings.ReadAsync(dataSource, user.OrganisationId);
        return organisation is { IsActive: true } && await base.CanSignInAsync(user);
    }
}

/// <summary>Turns Identity's password complaints into the product's field errors, and adds its own rules.</summary>
public sealed class PasswordPolicy : IPasswordValidator<AppUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        var problems = PasswordRules.Check(password ?? "", user.Email);
        return Task.FromResult(problems.Count == 0
            ? IdentityResult.Success
            : IdentityResult.Failed([.. problems.Select(p => new IdentityError { Code = p, Description = p })]));
    }
}
