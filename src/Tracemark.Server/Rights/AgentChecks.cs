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
}
