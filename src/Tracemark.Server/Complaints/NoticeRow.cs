using Tracemark.Core.Complaints;
using Tracemark.Server.Platform.Api;

namespace Tracemark.Server.Complaints;

/// <summary>A row of complaint_notices with its parties' names and the reader's part in it (platform, complainant, observer).</summary>
internal sealed class NoticeRow
{
    public Guid Id { get; init; }

    public Guid ComplainantOrgId { get; init; }

    public Guid HolderOrgId { get; init; }

    public Guid PlatformOrgId { get; init; }

    public string Jurisdiction { get; init; } = "";

    public string Kind { get; init; } = "";

    public string State { get; init; } = "";

    public string? Description { get; init; }

    public string GoodFaithStatement { get; init; } = "";

    public string Signature { get; init; } = "";

    public bool FastTrack { get; init; }

    public string Distribution { get; init; } = "";

    public Guid? SharingGroupId { get; init; }

    public Guid? LinkedNoticeId { get; init; }

    public string? Measure { get; init; }

    public string? MeasureReasons { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public DateTimeOffset ReviewDueAt { get; init; }

    public DateTimeOffset? ReviewOverdueAt { get; init; }

    public DateTimeOffset? AppealDueAt { get; init; }

    public DateTimeOffset? CounterNoticeAt { get; init; }

    public DateTimeOffset? ForwardDueAt { get; init; }

    public DateTimeOffset? ForwardOverdueAt { get; init; }

    public DateTimeOffset? ForwardedAt { get; init; }

    public DateTimeOffset? RestoreNotBefore { get; init; }

    public DateTimeOffset? RestoreLatest { get; init; }

    public bool DeadlinesProvisional { get; init; }

    public DateTimeOffset? RestoredAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public DateTimeOffset? NextTimerAt { get; init; }

    public string? CounterStatement { get; init; }

    public string? CounterSellerName { get; init; }

    public string? CounterSellerContact { get; init; }

    public string? CounterVia { get; init; }

    public string? FiledActionKind { get; init; }

    public string? FiledActionWith { get; init; }

    public string? FiledActionReference { get; init; }

    public string? AppealReasons { get; init; }

    public string? AppealDecisionReasons { get; init; }

    public string? Finding { get; init; }

    public string? FindingReasons { get; init; }

    public DateTimeOffset? FindingAt { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public string ComplainantNameEn { get; init; } = "";

    public string ComplainantNameZh { get; init; } = "";

    public string ComplainantKind { get; init; } = "";

    public string HolderNameEn { get; init; } = "";

    public string HolderNameZh { get; init; } = "";

    public string HolderKind { get; init; } = "";

    public string PlatformNameEn { get; init; } = "";

    public string PlatformNameZh { get; init; } = "";

    public string PlatformKind { get; init; } = "";

    public string Role { get; init; } = "observer";

    public NoticeState NoticeState => ComplaintWire.Parse<NoticeState>(State);

    /// <summary>The reader's part, as the transition table names it; null for observers.</summary>
    public Party? Party => Role switch
    {
        "platform" => Core.Complaints.Party.Platform,
        "complainant" => Core.Complaints.Party.Complainant,
        _ => null,
    };

    public OrganisationRef Complainant => new(ComplainantOrgId, ComplainantNameEn, ComplainantNameZh, ComplainantKind);

    public OrganisationRef Holder => new(HolderOrgId, HolderNameEn, HolderNameZh, HolderKind);

    public OrganisationRef Platform => new(PlatformOrgId, PlatformNameEn, PlatformNameZh, PlatformKind);
}

/// <summary>What a webhook says about a change of a notice; the sweep builds the same shape in SQL (ComplaintSweep).</summary>
internal static class NoticeEvents
{
    public static Dictionary<string, object?> Payload(NoticeRow row, string kind, NoticeState? previous, DateTimeOffset at, object? extra)
    {
        var payload = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["noticeId"] = row.Id,
            ["event"] = kind,
            ["state"] = row.State,
            ["previousState"] = previous is { } p ? ComplaintWire.ToWire(p) : null,
            ["occurredAt"] = at,
            ["jurisdiction"] = row.Jurisdiction,
            ["kind"] = row.Kind,
            ["platformId"] = row.PlatformOrgId,
            ["complainantId"] = row.ComplainantOrgId,
            ["holderId"] = row.HolderOrgId,
            ["link"] = $"/complaints/{row.Id}",
        };
        if (extra is not null)
        {
            payload["detail"] = extra;
        }

        return payload;
    }
}
