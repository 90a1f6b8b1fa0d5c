using Tracemark.Core.Accounts;

namespace Tracemark.Server.Accounts;

/// <summary>A person who signs in. Mutable because ASP.NET Core Identity changes users in place before saving them.</summary>
public sealed class AppUser
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganisationId { get; set; }

    public string Email { get; set; } = "";

    public string NormalizedEmail { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public Role Role { get; set; } = Role.Viewer;

    public bool IsPlatformAdmin { get; set; }

    public string? PasswordHash { get; set; }

    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");

    public bool LockoutEnabled { get; set; } = true;

    public DateTimeOffset? LockoutEnd { get; set; }

    public int AccessFailedCount { get; set; }

    public string? PreferredLanguage { get; set; }

    public bool IsActive { get; set; } = true;
}
