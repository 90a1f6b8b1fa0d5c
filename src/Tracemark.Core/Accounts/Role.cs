namespace Tracemark.Core.Accounts;

/// <summary>A user's role within their organisation. Platform administration is a separate flag.</summary>
public enum Role
{
    /// <summary>Reads what the organisation may see.</summary>
    Viewer,

    /// <summary>Also creates and changes the organisation's records (officer, analyst, agent staff).</summary>
    Officer,

    /// <summary>Also manages the organisation's users, API keys and sharing groups, and reads its audit trail.</summary>
    OrgAdmin,
}

public static class Roles
{
    public static string ToWire(this Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Officer => "officer",
        Role.OrgAdmin => "org_admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? wire, out Role role)
    {
        switch (wire)
        {
            case "viewer":
                role = Role.Viewer;
                return true;
            case "officer":
                role = Role.Officer;
                return true;
            case "org_admin":
                role = Role.OrgAdmin;
                return true;
            default:
                role = default;
                return false;
        }
    }

    public static Role Parse(string wire) => TryParse(wire, out var role) ? role : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown role.");
}

/// <summary>What an API key may do. A key never administers: that needs a person signed in.</summary>
public static class ApiScopes
{
    public const string Read = "read";
    public const string Write = "write";

    public static readonly IReadOnlyList<string> All = [Read, Write];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
