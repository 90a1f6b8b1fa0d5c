using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Tracemark.Core.Accounts;

namespace Tracemark.Server.Accounts;

/// <summary>
/// Identity's store over the users table. It works as the database owner because sign-in happens
/// before anyone is known; the admin pages reach users through row-level security instead.
/// </summary>
public sealed class UserStore(NpgsqlDataSource dataSource, TimeProvider clock) :
    IUserPasswordStore<AppUser>,
    IUserEmailStore<AppUser>,
    IUserLockoutStore<AppUser>,
    IUserSecurityStampStore<AppUser>
{
    private const string Columns = """
        id, organisation_id, email, normalized_email, display_name, role, is_platform_admin, password_hash, security_stamp,
        concurrency_stamp, lockout_enabled, lockout_end, access_failed_count, preferred_language, is_active
        """;

    public async Task<IdentityResult> CreateAsync(AppUser user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO users ({Columns}, created_at, updated_at)
                VALUES (@Id, @OrganisationId, @Email, @NormalizedEmail, @DisplayName, @Role, @IsPlatformAdmin, @PasswordHash, @SecurityStamp,
                        @ConcurrencyStamp, @LockoutEnabled, @LockoutEnd, @AccessFailedCount, @PreferredLanguage, @IsActive, @Now, @Now)
                """,
                Parameters(user),
                cancellationToken: cancellationToken));
            return IdentityResult.Success;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return IdentityResult.Failed(new IdentityError { Code = "DuplicateEmail", Description = "email" });
        }
    }

    public async Task<IdentityResult> UpdateAsync(AppUser user, CancellationToken cancellationToken)
    {
        var previousStamp = user.ConcurrencyStamp;
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE users SET email = @Email, normalized_email = @NormalizedEmail, display_name = @DisplayName, role = @Role,
                is_platform_admin = @IsPlatformAdmin, password_hash = @PasswordHash, security_stamp = @SecurityStamp,
                concurrency_stamp = @ConcurrencyStamp, lockout_enabled = @LockoutEnabled, lockout_end = @LockoutEnd,
                access_failed_count = @AccessFailedCount, preferred_language = @PreferredLanguage, is_active = @IsActive, updated_at = @Now
            WHERE id = @Id AND concurrency_stamp = @PreviousStamp
            """,
            new DynamicParameters(Parameters(user)).With("PreviousStamp", previousStamp),
            cancellationToken: cancellationToken));
        return updated == 1 ? IdentityResult.Success : IdentityResult.Failed(new IdentityError { Code = "ConcurrencyFailure", Description = "changed by someone else" });
    }

    public Task<IdentityResult> DeleteAsync(AppUser user, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Users are deactivated, never deleted: the audit trail refers to them.");

    public Task<AppUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        Guid.TryParse(userId, out var id) ? FindAsync("id = @Value", id, cancellationToken) : Task.FromResult<AppUser?>(null);

    public Task<AppUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @Value", normalizedUserName, cancellationToken);

    public Task<AppUser?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        FindAsync("normalized_email = @Value", normalizedEmail, cancellationToken);

    public Task<string> GetUserIdAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.Id.ToString());

    public Task<string?> GetUserNameAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);

    public Task SetUserNameAsync(AppUser user, string? userName, CancellationToken cancellationToken)
    {
        user.Email = userName ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetNormalizedUserNameAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);

    public Task SetNormalizedUserNameAsync(AppUser user, string? normalizedName, CancellationToken cancellationToken)
    {
        user.NormalizedEmail = normalizedName ?? "";
        return Task.CompletedTask;
    }

    public Task SetPasswordHashAsync(AppUser user, string? passwordHash, CancellationToken cancellationToken)
    {
        user.PasswordHash = passwordHash;
        return Task.CompletedTask;
    }

    public Task<string?> GetPasswordHashAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash);

    public Task<bool> HasPasswordAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash is not null);

    public Task SetEmailAsync(AppUser user, string? email, CancellationToken cancellationToken)
    {
        user.Email = email ?? "";
        return Task.CompletedTask;
    }

    public Task<string?> GetEmailAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);

    // Accounts are created by administrators who know the address; there is no self-registration to confirm.
    public Task<bool> GetEmailConfirmedAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task SetEmailConfirmedAsync(AppUser user, bool confirmed, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<string?> GetNormalizedEmailAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);

    public Task SetNormalizedEmailAsync(AppUser user, string? normalizedEmail, CancellationToken cancellationToken)
    {
        user.NormalizedEmail = normalizedEmail ?? "";
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnd);

    public Task SetLockoutEndDateAsync(AppUser user, DateTimeOffset? lockoutEnd, CancellationToken cancellationToken)
    {
        user.LockoutEnd = lockoutEnd;
        return Task.CompletedTask;
    }

    public Task<int> IncrementAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(++user.AccessFailedCount);

    public Task ResetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken)
    {
        user.AccessFailedCount = 0;
        return Task.CompletedTask;
    }

    public Task<int> GetAccessFailedCountAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.AccessFailedCount);

    public Task<bool> GetLockoutEnabledAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult(user.LockoutEnabled);

    public Task SetLockoutEnabledAsync(AppUser user, bool enabled, CancellationToken cancellationToken)
    {
        user.LockoutEnabled = enabled;
        return Task.CompletedTask;
    }

    public Task SetSecurityStampAsync(AppUser user, string stamp, CancellationToken cancellationToken)
    {
        user.SecurityStamp = stamp;
        return Task.CompletedTask;
    }

    public Task<string?> GetSecurityStampAsync(AppUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.SecurityStamp);

    public void Dispose()
    {
    }

    private async Task<AppUser?> FindAsync(string condition, object value, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE {condition}",
            new { Value = value },
            cancellationToken: cancellationToken));
        return row?.ToUser();
    }

    private object Parameters(AppUser user) => new
    {
        user.Id,
        user.OrganisationId,
        user.Email,
        user.NormalizedEmail,
        user.DisplayName,
        Role = user.Role.ToWire(),
        user.IsPlatformAdmin,
        user.PasswordHash,
        user.SecurityStamp,
        user.ConcurrencyStamp,
        user.LockoutEnabled,
        user.LockoutEnd,
        user.AccessFailedCount,
        user.PreferredLanguage,
        user.IsActive,
        Now = clock.GetUtcNow(),
    };

    private sealed record UserRow(
        Guid Id, Guid OrganisationId, string Email, string NormalizedEmail, string DisplayName, string Role, bool IsPlatformAdmin, string? PasswordHash,
        string SecurityStamp, string ConcurrencyStamp, bool LockoutEnabled, DateTimeOffset? LockoutEnd, int AccessFailedCount, string? PreferredLanguage, bool IsActive)
    {
        public AppUser ToUser() => new()
        {
            Id = Id,
            OrganisationId = OrganisationId,
            Email = Email,
            NormalizedEmail = NormalizedEmail,
            DisplayName = DisplayName,
            Role = Roles.Parse(Role),
            IsPlatformAdmin = IsPlatformAdmin,
            PasswordHash = PasswordHash,
            SecurityStamp = SecurityStamp,
            ConcurrencyStamp = ConcurrencyStamp,
            LockoutEnabled = LockoutEnabled,
            LockoutEnd = LockoutEnd,
            AccessFailedCount = AccessFailedCount,
            PreferredLanguage = PreferredLanguage,
            IsActive = IsActive,
        };
    }
}

internal static class DynamicParametersExtensions
{
    public static DynamicParameters With(this DynamicParameters parameters, string name, object? value)
    {
        parameters.Add(name, value);
        return parameters;
    }
}
