using Tracemark.Core.Errors;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Sharing;

/// <summary>The checks every shared record makes when its distribution is set or changed.</summary>
public static class DistributionGuard
{
    /// <summary>A group is given exactly when the level is 'group', and it must be one the caller's organisation owns or belongs to.</summary>
    public static async Task CheckGroupAsync(DbTx tx, FieldRules rules, Distribution distribution, Guid? group, CancellationToken cancellationToken)
    {
        if (distribution != Distribution.Group)
        {
            if (group is not null)
            {
                rules.Add("sharingGroupId", "group.not_allowed");
            }

            return;
        }

        if (group is null)
        {
            rules.Add("sharingGroupId", "group.required");
            return;
        }

        // Visible under row-level security means: the caller's organisation owns the group or is a member.
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM sharing_groups WHERE id = @group)", new { group }, cancellationToken))
        {
            rules.Add("sharingGroupId", "group.unknown");
        }
    }

    /// <summary>Refuses a change that would hide the record from anyone who could see it before.</summary>
    public static async Task CheckWidenOnlyAsync(DbTx tx, Distribution from, Guid? fromGroup, Distribution to, Guid? toGroup, CancellationToken cancellationToken)
    {
        var allLocal = fromGroup is { } oldGroup && await tx.ExecuteScalarAsync<bool>("SELECT tm_group_all_local(@oldGroup)", new { oldGroup }, cancellationToken);
        if (Distributions.CheckChange(from, fromGroup, to, toGroup, allLocal) == DistributionChange.Narrows)
        {
            throw new RuleViolationException(
                "distribution.narrowing",
                $"A record shared at '{from.ToWire()}' may not be narrowed to '{to.ToWire()}'.",
                "distribution",
                false,
                from.ToWire(),
                to.ToWire());
        }
    }
}
