using Microsoft.AspNetCore.Identity;
using Npgsql;
using Tracemark.Core.Accounts;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Accounts;

public sealed record UserView(Guid Id, Guid OrganisationId, string Email, string DisplayName, string Role, bool IsPlatformAdmin, bool IsActive, bool IsLockedOut, string? PreferredLanguage, DateTimeOffset CreatedAt);

public sealed record NewUser(string? Email, string? DisplayName, Role? Role, string? Password, Guid? OrganisationId, string? PreferredLanguage);

public sealed record UserChange(string? DisplayName, Role? Role, bool? IsActive, bool? Unlock);

public sealed record ApiKeyView(Guid Id, string Name, string Prefix, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string? LastUsedAddress);

/// <summary>The key itself appears only in the answer to its creation.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Key, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

public sealed record NewApiKey(string? Name, IReadOnlyList<string>? Scopes, int? ExpiresInDays);

/// <summary>
/// Users and API keys of an organisation, managed by its administrator. Writes go through row-level
/// security (an administrator reaches only their own organisation; the platform administrator all)
/// and are audited in the same transaction.
/// </summary>
public sealed class AccountAdmin(Db db, UserManager<AppUser> users, IPasswordHasher<AppUser> hasher, TimeProvider clock)
{
    public const int MaxKeyLifetimeDays = 730;
    private const string UserColumns = """
        id, organisation_id, email, display_name, role, is_platform_admin, is_active,
        (lockout_end IS NOT NULL AND lockout_end > @now) AS is_locked_out, preferred_language, created_at
        """;

    public async Task<IReadOnlyList<UserView>> ListUsersAsync(Guid? organisationId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<UserView>(
            $"SELECT {UserColumns} FROM users WHERE (@organisationId::uuid IS NULL OR organisation_id = @organisationId) ORDER BY lower(email)",
            new { organisationId, now = clock.GetUtcNow() },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.ToList();
    }

    public async Task<UserView> CreateUserAsync(NewUser input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var email = EmailAddresses.Normalise(input.Email);
        if (string.IsNullOrWhiteSpace(input.Email))
        {
            rules.Add("email", "required");
        }
        else if (email is null)
        {
            rules.Add("email", "email.invalid");
        }

        var displayName = rules.Required("displayName", input.DisplayName, 200);
        if (input.Role is null)
        {
            rules.Add("role", "required");
        }

        var language = LanguagePreference(rules, input.PreferredLanguage);
        var user = new AppUser
        {
            Email = email ?? "",
            NormalizedEmail = users.NormalizeEmail(email ?? "") ?? "",
            DisplayName = displayName,
            Role = input.Role ?? Role.Viewer,
            PreferredLanguage = language,
        };
        await using var tx = await db.BeginAsync(cancellationToken);
        user.OrganisationId = input.OrganisationId is { } target && tx.Caller.IsPlatformAdmin ? target : tx.Caller.OrganisationId!.Value;
        if (string.IsNullOrEmpty(input.Password))
        {
            rules.Add("password", "required");
        }
        else
        {
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, user, input.Password);
                foreach (var error in result.Errors)
                {
                    rules.Add("password", PasswordErrorCode(error.Code), PasswordRules.MinimumLength);
                }
            }
        }

        rules.ThrowIfAny();
        user.PasswordHash = hasher.HashPassword(user, input.Password!);
        try
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO users (id, organisation_id, email, normalized_email, display_name, role, password_hash, security_stamp,
                                   concurrency_stamp, preferred_language, created_at, updated_at)
                VALUES (@Id, @OrganisationId, @Email, @NormalizedEmail, @DisplayName, @Role, @PasswordHash, @SecurityStamp,
                        @ConcurrencyStamp, @PreferredLanguage, @now, @now)
                """,
                new { user.Id, user.OrganisationId, user.Email, user.NormalizedEmail, user.DisplayName, Role = user.Role.ToWire(), user.PasswordHash, user.SecurityStamp, user.ConcurrencyStamp, user.PreferredLanguage, now = clock.GetUtcNow() },
                cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InputValidationException("email", "email.taken", user.Email);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new InputValidationException("organisationId", "organisation.unknown");
        }

        var view = await ReadUserAsync(tx, user.Id, cancellationToken);
        await tx.AuditAsync("user.create", "user", user.Id.ToString(), user.OrganisationId, after: view, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    public async Task<UserView> ChangeUserAsync(Guid id, UserChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var displayName = change.DisplayName is null ? null : rules.Required("displayName", change.DisplayName, 200);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindUserAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("user", id.ToString());
        if (id == tx.Caller.UserId && (change.Role is not null && change.Role != Roles.Parse(before.Role) || change.IsActive == false))
        {
            throw new RuleViolationException("user.self_change", "Administrators may not demote or deactivate themselves.", change.Role is not null ? "role" : "isActive");
        }

        // A new security stamp ends the user's open sessions at their next check (within a minute).
        var updated = await tx.ExecuteAsync(
            """
            UPDATE users SET display_name = coalesce(@displayName, display_name), role = coalesce(@role, role),
                is_active = coalesce(@isActive, is_active),
                lockout_end = CASE WHEN @unlock THEN NULL ELSE lockout_end END,
                access_failed_count = CASE WHEN @unlock THEN 0 ELSE access_failed_count END,
                security_stamp = CASE WHEN @role IS NOT NULL OR @isActive IS NOT NULL THEN @stamp ELSE security_stamp END,
                concurrency_stamp = @stamp, updated_at = @now
            WHERE id = @id
            """,
            new { id, displayName, role = change.Role?.ToWire(), change.IsActive, unlock = change.Unlock == true, stamp = Guid.NewGuid().ToString("N"), now = clock.GetUtcNow() },
            cancellationToken);
        if (updated == 0)
        {
            // Visible but not changeable: e.g. a viewer's view of a colleague. Same answer as for a stranger.
            throw new RecordNotFoundException("user", id.ToString());
        }

        var after = await ReadUserAsync(tx, id, cancellationToken);
        await tx.AuditAsync("user.change", "user", id.ToString(), after.OrganisationId, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListKeysAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<ApiKeyView>(
            "SELECT id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, last_used_address FROM api_keys ORDER BY created_at DESC",
            cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.ToList();
    }

    public async Task<CreatedApiKey> CreateKeyAsync(NewApiKey input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var name = rules.Required("name", input.Name, 100);
        var scopes = (input.Scopes ?? []).Distinct(StringComparer.Ordinal).ToArray();
        if (scopes.Length == 0)
        {
            rules.Add("scopes", "required");
        }

        foreach (var (scope, index) in scopes.Select((s, i) => (s, i)).Where(s => !ApiScopes.IsKnown(s.s)))
        {
            rules.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"scopes[{index}]"), "scope.unknown", scope);
        }

        var days = input.ExpiresInDays ?? 90;
        if (days is < 1 or > MaxKeyLifetimeDays)
        {
            rules.Add("expiresInDays", "out_of_range", 1, MaxKeyLifetimeDays);
        }

        rules.ThrowIfAny();
        var (prefix, secret, key) = ApiKeyFormat.Generate();
        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var expiresAt = now.AddDays(days);
        await using var tx = await db.BeginAsync(cancellationToken);
        await tx.ExecuteAsync(
            """
            INSERT INTO api_keys (id, organisation_id, name, prefix, secret_hash, scopes, created_by, created_at, expires_at)
            VALUES (@id, @organisation, @name, @prefix, @hash, @scopes, @user, @now, @expiresAt)
            """,
            new { id, organisation = tx.Caller.OrganisationId, name, prefix, hash = ApiKeyFormat.Hash(secret), scopes, user = tx.Caller.UserId, now, expiresAt },
            cancellationToken);
        await tx.AuditAsync("api_key.create", "api_key", id.ToString(), tx.Caller.OrganisationId, after: new { name, prefix, scopes, expiresAt }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new CreatedApiKey(id, name, key, scopes, expiresAt);
    }

    public async Task RevokeKeyAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var revoked = await tx.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = @now, revoked_by = @user WHERE id = @id AND revoked_at IS NULL",
            new { id, now = clock.GetUtcNow(), user = tx.Caller.UserId },
            cancellationToken);
        if (revoked == 0)
        {
            var exists = await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = @id)", new { id }, cancellationToken);
            if (!exists)
            {
                throw new RecordNotFoundException("api_key", id.ToString());
            }

            return; // already revoked: revoking again changes nothing
        }

        await tx.AuditAsync("api_key.revoke", "api_key", id.ToString(), tx.Caller.OrganisationId, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Identity's password error codes and ours, as the product's field error codes.</summary>
    public static string PasswordErrorCode(string identityCode) => identityCode switch
    {
        "PasswordTooShort" => "password.too_short",
        "PasswordMismatch" => "password.wrong",
        _ when identityCode.StartsWith("password.", StringComparison.Ordinal) => identityCode,
        _ => "password.too_simple",
    };

    internal static string? LanguagePreference(FieldRules rules, string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return null;
        }

        if (language is "en" or "zh-CN")
        {
            return language;
        }

        rules.Add("preferredLanguage", "invalid_value");
        return null;
    }

    private Task<UserView?> FindUserAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        tx.QuerySingleOrDefaultAsync<UserView>($"SELECT {UserColumns} FROM users WHERE id = @id", new { id, now = clock.GetUtcNow() }, cancellationToken);

    private async Task<UserView> ReadUserAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        await FindUserAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("user", id.ToString());
}
