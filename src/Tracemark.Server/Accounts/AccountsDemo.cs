using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Accounts;

/// <summary>
/// Demo people and API keys for every demo organisation, with passwords generated on this machine
/// (never stored in the repository) and written to demo-credentials.json (mode 0600) in the data folder.
/// Running it again resets the demo passwords, replaces the demo keys and rewrites the file.
/// </summary>
public sealed class AccountsDemo : IDemoSeeder
{
    public const string CredentialsFile = "demo-credentials.json";
    public const string DemoKeyName = "Demo key";
    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All) };

    public int Order => 10;

    public string Name => "users and API keys";

    public static string EmailFor(string organisationKey, string person) => $"{person}@{organisationKey}.tracemark.example";

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var hasher = new PasswordHasher<AppUser>();
        var normaliser = new UpperInvariantLookupNormalizer();
        var now = context.Clock.GetUtcNow();
        var file = new List<object>();
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var organisation in OrganisationDemo.All)
        {
            var people = new List<object>();
            foreach (var (person, role, platformAdmin, nameEn) in PeopleOf(organisation))
            {
                var email = EmailFor(organisation.Key, person);
                var password = NewPassword();
                var user = new AppUser { Email = email, DisplayName = nameEn, Role = role, OrganisationId = organisation.Id, IsPlatformAdmin = platformAdmin };
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO users (id, organisation_id, email, normalized_email, display_name, role, is_platform_admin, password_hash,
                                       security_stamp, concurrency_stamp, created_at, updated_at)
                    VALUES (@id, @organisation, @email, @normalized, @name, @role, @platformAdmin, @hash, @stamp, @stamp, @now, @now)
                    ON CONFLICT (normalized_email) DO UPDATE SET password_hash = excluded.password_hash, security_stamp = excluded.security_stamp,
                        role = excluded.role, is_platform_admin = excluded.is_platform_admin, is_active = true, lockout_end = NULL,
                        access_failed_count = 0, updated_at = excluded.updated_at
                    """,
                    new
                    {
                        id = Guid.CreateVersion7(),
                        organisation = organisation.Id,
                        email,
                        normalized = normaliser.NormalizeEmail(email),
                        name = nameEn,
                        role = role.ToWire(),
                        platformAdmin,
                        hash = hasher.HashPassword(user, password),
                        stamp = Guid.NewGuid().ToString("N"),
                        now,
                    },
                    transaction,
                    cancellationToken: cancellationToken));
                people.Add(new { email, password, role = role.ToWire(), platformAdmin });
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET revoked_at = @now WHERE organisation_id = @organisation AND name = @name AND revoked_at IS NULL",
                new { now, organisation = organisation.Id, name = DemoKeyName },
                transaction,
                cancellationToken: cancellationToken));
            var (prefix, secret, key) = ApiKeyFormat.Generate();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO api_keys (id, organisation_id, name, prefix, secret_hash, scopes, created_at, expires_at)
                VALUES (@id, @organisation, @name, @prefix, @hash, ARRAY['read', 'write'], @now, @expires)
                """,
                new { id = Guid.CreateVersion7(), organisation = organisation.Id, name = DemoKeyName, prefix, hash = ApiKeyFormat.Hash(secret), now, expires = now.AddDays(365) },
                transaction,
                cancellationToken: cancellationToken));
            file.Add(new { name = organisation.NameEn, nameZh = organisation.NameZh, kind = organisation.Kind.ToWire(), apiKey = key, users = people });
        }

        await WriteCredentialsAsync(context.DataFolder, new { organisations = file }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static IEnumerable<(string Person, Role Role, bool PlatformAdmin, string Name)> PeopleOf(DemoOrganisation organisation)
    {
        yield return ("admin", Role.OrgAdmin, false, $"{organisation.NameEn} administrator");
        yield return ("officer", Role.Officer, false, $"{organisation.NameEn} officer");
        if (organisation.Kind is OrganisationKind.Customs or OrganisationKind.RightsHolder or OrganisationKind.Platform)
        {
            yield return ("viewer", Role.Viewer, false, $"{organisation.NameEn} viewer");
        }

        if (organisation.Kind == OrganisationKind.CoordinatingOffice)
        {
            yield return ("platform.admin", Role.OrgAdmin, true, "Platform administrator");
        }
    }

    /// <summary>Readable enough to type from the file, 80 bits of randomness.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 16);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    private static async Task WriteCredentialsAsync(string dataFolder, object content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataFolder);
        var path = Path.Combine(dataFolder, CredentialsFile);
        var temporary = path + ".tmp";
        await using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            await JsonSerializer.SerializeAsync(stream, content, FileJson, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
