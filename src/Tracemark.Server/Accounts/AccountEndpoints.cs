using Microsoft.AspNetCore.Identity;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Accounts;

public sealed record Me(
    Guid? UserId, string? Name, Guid OrganisationId, string? OrganisationKind, bool OrganisationIsLocal,
    string Role, bool IsPlatformAdmin, Guid? ApiKeyId, IReadOnlyList<string> Scopes, IReadOnlyList<string> Permissions);

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

public sealed record LanguageChange(string? PreferredLanguage);

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Accounts");

        api.MapGet("/me", (CallerAccessor callers) => TypedResults.Ok(Describe(callers.Current)))
            .WithSummary("Who the caller is and what it may do.");

        api.MapPost("/me/password", async (PasswordChange body, CallerAccessor callers, UserManager<AppUser> users, Db db, CancellationToken cancellationToken) =>
        {
            var user = await CurrentUserAsync(callers.Current, users);
            await ChangePasswordAsync(users, db, user, body.CurrentPassword, body.NewPassword, cancellationToken);
            return TypedResults.NoContent();
        }).WithSummary("Change the signed-in user's password.");

        api.MapGet("/users", (Guid? organisationId, AccountAdmin admin, CancellationToken cancellationToken) => admin.ListUsersAsync(organisationId, cancellationToken))
            .RequireAuthorization(Policies.Auditor)
            .WithSummary("Users of the caller's organisation (the platform administrator: of any, or of one).");

        api.MapPost("/users", async (NewUser body, AccountAdmin admin, CancellationToken cancellationToken) =>
        {
            var user = await admin.CreateUserAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/users/{user.Id}", user);
        }).RequireAuthorization(Policies.Auditor).WithSummary("Create a user with an initial password.");

        api.MapPatch("/users/{id:guid}", (Guid id, UserChange body, AccountAdmin admin, CancellationToken cancellationToken) => admin.ChangeUserAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Auditor)
            .WithSummary("Change a user's name or role, deactivate or reactivate, or unlock after failed sign-ins.");

        api.MapGet("/api-keys", (AccountAdmin admin, CancellationToken cancellationToken) => admin.ListKeysAsync(cancellationToken))
            .RequireAuthorization(Policies.OrgAdmin)
            .WithSummary("The organisation's API keys (never the keys themselves).");

        api.MapPost("/api-keys", async (NewApiKey body, AccountAdmin admin, CancellationToken cancellationToken) =>
        {
            var key = await admin.CreateKeyAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/api-keys/{key.Id}", key);
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Create an API key; the answer holds the key, which is never shown again.");

        api.MapDelete("/api-keys/{id:guid}", async (Guid id, AccountAdmin admin, CancellationToken cancellationToken) =>
        {
            await admin.RevokeKeyAsync(id, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Revoke an API key at once.");
        return app;
    }

    public static Me Describe(Caller caller) => new(
        caller.UserId,
        caller.DisplayName,
        caller.OrganisationId!.Value,
        caller.OrganisationKind is { } kind ? Core.Organisations.OrganisationKinds.ToWire(kind) : null,
        caller.OrganisationIsLocal,
        caller.Role is { } role ? Core.Accounts.Roles.ToWire(role) : "viewer",
        caller.IsPlatformAdmin,
        caller.ApiKeyId,
        [.. caller.Scopes.Order(StringComparer.Ordinal)],
        Permissions(caller));

    /// <summary>What the caller may do, for the home page and clients deciding what to offer.</summary>
    public static IReadOnlyList<string> Permissions(Caller caller)
    {
        var permissions = new List<string> { "read" };
        if (caller.CanWrite)
        {
            permissions.Add("write");
        }

        if (caller.IsOrgAdmin)
        {
            permissions.AddRange(["manage_users", "manage_api_keys", "manage_sharing_groups", "read_audit"]);
        }

        // Holders' administrators authorise agents; agents see whom they act for.
        if ((caller.IsOrgAdmin && caller.OrganisationKind == Core.Organisations.OrganisationKind.RightsHolder) || caller.OrganisationKind == Core.Organisations.OrganisationKind.Agent)
        {
            permissions.Add("work_with_agents");
        }

        // Customs screens declarations and detains; the holders concerned, their agents and other enforcement agencies follow detentions.
        if (caller.OrganisationKind == Core.Organisations.OrganisationKind.Customs)
        {
            permissions.Add("work_customs");
        }

        if (caller.OrganisationKind is { } kind && (Core.Organisations.OrganisationKinds.IsEnforcement(kind) || kind is Core.Organisations.OrganisationKind.RightsHolder or Core.Organisations.OrganisationKind.Agent))
        {
            permissions.Add("see_detentions");
        }

        if (caller.IsPlatformAdmin && caller.ApiKeyId is null)
        {
            permissions.AddRange(["manage_organisations", "read_all_audit"]);
        }

        return permissions.Distinct(StringComparer.Ordinal).ToList();
    }

    internal static async Task<AppUser> CurrentUserAsync(Caller caller, UserManager<AppUser> users)
    {
        if (caller.UserId is null)
        {
            throw new AccessDeniedException("auth.person_required", "Only a signed-in person has a password.");
        }

        return await users.FindByIdAsync(caller.UserId.Value.ToString()) ?? throw new AccessDeniedException("auth.forbidden", "The user no longer exists.");
    }

    internal static async Task ChangePasswordAsync(UserManager<AppUser> users, Db db, AppUser user, string? current, string? next, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (string.IsNullOrEmpty(current))
        {
            rules.Add("currentPassword", "required");
        }

        if (string.IsNullOrEmpty(next))
        {
            rules.Add("newPassword", "required");
        }

        rules.ThrowIfAny();
        var result = await users.ChangePasswordAsync(user, current!, next!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                rules.Add(error.Code == "PasswordMismatch" ? "currentPassword" : "newPassword", AccountAdmin.PasswordErrorCode(error.Code), Core.Accounts.PasswordRules.MinimumLength);
            }

            rules.ThrowIfAny();
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        await tx.AuditAsync("user.password_change", "user", user.Id.ToString(), user.OrganisationId, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
