namespace Tracemark.Core.Sharing;

/// <summary>Who may see a shared record (adapted from MISP's distribution levels).</summary>
public enum Distribution
{
    /// <summary>The owner organisation only.</summary>
    Organisation,

    /// <summary>The members of one named sharing group (possibly on several nodes) and the owner.</summary>
    Group,

    /// <summary>Every organisation on this node (installation).</summary>
    Node,

    /// <summary>Every organisation on this node and on every federated partner node.</summary>
    Partners,

    /// <summary>Everyone, including the public.</summary>
    Public,
}

public static class Distributions
{
    public static string ToWire(this Distribution level) => level switch
    {
        Distribution.Organisation => "organisation",
        Distribution.Group => "group",
        Distribution.Node => "node",
        Distribution.Partners => "partners",
        Distribution.Public => "public",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static bool TryParse(string? wire, out Distribution level)
    {
        foreach (var candidate in Enum.GetValues<Distribution>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.Ordinal))
            {
                level = candidate;
                return true;
            }
        }

        level = default;
        return false;
    }

    public static Distribution Parse(string wire) => TryParse(wire, out var level) ? level : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown distribution level.");

    /// <summary>
    /// Whether a record may move from one level to another: only when everyone who could see it
    /// before can still see it (the owner may widen, never narrow, once shared). A group's audience is
    /// its members, so a group record may become node-wide only when all its members are on this node,
    /// and may not move to another group (whose members could differ).
    /// </summary>
    public static DistributionChange CheckChange(Distribution from, Guid? fromGroup, Distribution to, Guid? toGroup, bool groupMembersAllOnThisNode)
    {
        if (from == to && fromGroup == toGroup)
        {
            return DistributionChange.Unchanged;
        }

        return (from, to) switch
        {
            (Distribution.Organisation, _) => DistributionChange.Allowed,
            (Distribution.Group, Distribution.Group) => DistributionChange.Narrows,
            (Distribution.Group, Distribution.Node) => groupMembersAllOnThisNode ? DistributionChange.Allowed : DistributionChange.Narrows,
            (Distribution.Group, Distribution.Partners or Distribution.Public) => DistributionChange.Allowed,
            (Distribution.Node, Distribution.Partners or Distribution.Public) => DistributionChange.Allowed,
            (Distribution.Partners, Distribution.Public) => DistributionChange.Allowed,
            _ => DistributionChange.Narrows,
        };
    }
}

public enum DistributionChange
{
    Unchanged,
    Allowed,
    Narrows,
}
