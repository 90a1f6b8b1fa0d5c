using System.Globalization;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Rights;

/// <summary>
/// "May organisation X act for right R at time T?" in C#, asking the SQL functions that the policies use,
/// so that the registry, complaints and customs applications all get one answer. Call inside the
/// caller's transaction; the functions see authorisations whatever the caller may read.
/// </summary>
public static class AgentChecks
{
    /// <summary>X holds R, or X is an agent whose authorisation by R's holder covers R (all rights, or R by name) on T's UTC day.</summary>
    public static Task<bool> MayActForRightAsync(DbTx tx, Guid organisationId, Guid rightId, DateTimeOffset at, CancellationToken cancellationToken) =>
        tx.ExecuteScalarAsync<bool>("SELECT tm_may_act_for_right(@organisationId, @rightId, @at)", new { organisationId, rightId, at }, cancellationToken);

    /// <summary>X is the holder, or acts for all the holder's rights now (and so may record new rights in its name).</summary>
    public static Task<bool> MayActForHolderAsync(DbTx tx, Guid organisationId, Guid holderId, CancellationToken cancellationToken) =>
        tx.ExecuteScalarAsync<bool>("SELECT tm_may_act_for_holder(@organisationId, @holderId, tm_now())", new { organisationId, holderId }, cancellationToken);

    /// <summary>
    /// The one holder of the rights a guide or a recordation covers: every right must be visible to the caller
    /// and of the same holder (reported under "rightIds"), and the caller must act for all that holder's rights
    /// (else <paramref name="denied"/>). Null when the rights are missing or wrong.
    /// </summary>
    public static async Task<Guid?> HolderOfRightsAsync(DbTx tx, FieldRules rules, IReadOnlyList<Guid>? rightIds, AccessDeniedException denied, CancellationToken cancellationToken)
    {
        if (rightIds is null || rightIds.Count == 0)
        {
            rules.Add("rightIds", "guide.rights_required");
            return null;
        }

        var owners = new HashSet<Guid>();
        for (var i = 0; i < rightIds.Count; i++)
        {
            var owner = await tx.QuerySingleOrDefaultAsync<Guid?>("SELECT owner_org_id FROM rights WHERE id = @id", new { id = rightIds[i] }, cancellationToken);
            if (owner is null)
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"rightIds[{i}]"), "guide.right_unknown");
            }
            else
            {
                owners.Add(owner.Value);
            }
        }

        if (owners.Count > 1)
        {
            rules.Add("rightIds", "guide.rights_of_several_holders");
            return null;
        }

        if (owners.Count == 1 && !await MayActForHolderAsync(tx, tx.Caller.OrganisationId!.Value, owners.First(), cancellationToken))
        {
            throw denied;
        }

        return owners.Count == 1 ? owners.First() : null;
    }
}
