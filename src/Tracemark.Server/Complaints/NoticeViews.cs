using System.Text.Json;
using Tracemark.Core.Complaints;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Screening;

namespace Tracemark.Server.Complaints;

/// <summary>A notice to file. <see cref="Jurisdiction"/> defaults to the platform's; <see cref="Distribution"/> to the complainant's organisation only.</summary>
public sealed record NewNotice(
    Guid? PlatformId,
    string? Jurisdiction,
    string? Kind,
    IReadOnlyList<Guid>? RightIds,
    IReadOnlyList<ListingInput?>? Listings,
    string? Description,
    IReadOnlyList<EvidenceInput?>? Evidence,
    bool? GoodFaith,
    string? Signature,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>The platform's decision: a measure (remove, block, restrict) or no action, with its reasons.</summary>
public sealed record DecisionInput(string? Measure, string? Reasons);

/// <summary>The seller's declaration of non-infringement, sent through its link or relayed by the platform.</summary>
public sealed record CounterNoticeInput(string? Statement, string? SellerName, string? SellerContact, bool? Affirmed, IReadOnlyList<EvidenceInput?>? Evidence);

/// <summary>The complainant shows that it complained to an authority or sued.</summary>
public sealed record FiledActionInput(string? Kind, string? With, string? Reference, IReadOnlyList<EvidenceInput?>? Evidence);

public sealed record ReasonsInput(string? Reasons);

public sealed record AppealDecisionInput(bool? Granted, string? Reasons);

public sealed record FindingInput(string? Finding, string? Reasons);

public sealed record NoticeRightView(Guid Id, string Type, string Jurisdiction, string? Number, string Name, string? NameZh, string Status, DateOnly? Expires);

public sealed record NoticeListingView(
    int Position,
    string ListingId,
    string Url,
    string SellerId,
    string? SellerName,
    string Title,
    decimal? Price,
    string? Currency,
    string? SnapshotSha256,
    IReadOnlyList<string> ImageSha256s,
    IReadOnlyList<HitView> Hits,
    Guid? LinkedNoticeId,
    NoticeState? LinkedNoticeState);

public sealed record EvidenceView(string Sha256, string? Description, Party Party, string MediaType, long Size, DateTimeOffset AddedAt);

public sealed record DecisionView(Measure Measure, string Reasons, DateTimeOffset DecidedAt);

public sealed record CounterNoticeView(string Statement, string SellerName, string SellerContact, string Via, DateTimeOffset ReceivedAt, DateTimeOffset? ForwardedAt);

public sealed record FiledActionView(FiledActionKind Kind, string With, string? Reference);

public sealed record AppealView(string Reasons, string? DecisionReasons);

public sealed record FindingView(Finding Finding, string Reasons, DateTimeOffset At);

/// <summary>The notice's clocks; each was counted in <see cref="Calendar"/> when it started. <see cref="Provisional"/>: a count ran past the days whose holidays are known.</summary>
public sealed record DeadlinesView(
    string Calendar,
    DateTimeOffset ReviewDue,
    DateTimeOffset? ReviewOverdueAt,
    DateTimeOffset? AppealDue,
    DateTimeOffset? ForwardDue,
    DateTimeOffset? ForwardOverdueAt,
    DateTimeOffset? RestoreNotBefore,
    DateTimeOffset? RestoreLatest,
    DateTimeOffset? RestoredAt,
    bool Provisional);

public sealed record TimelineEntry(Guid Id, DateTimeOffset At, Party Party, OrganisationRef? Actor, string Action, NoticeState? From, NoticeState? To, JsonElement Detail);

/// <summary>A seller's link, shown once when issued: only its hash is kept.</summary>
public sealed record SellerLinkView(string Path, string? Url, DateTimeOffset ExpiresAt);

/// <summary>
/// A notice as a party (or an authority seeing it through its distribution) reads it. <see cref="Role"/> is the
/// reader's part in it (complainant, platform, observer) and <see cref="AllowedActions"/> what it may do now.
/// </summary>
public sealed record NoticeView(
    Guid Id,
    NoticeState State,
    InfringementKind Kind,
    string Jurisdiction,
    OrganisationRef Complainant,
    OrganisationRef Holder,
    OrganisationRef Platform,
    string Role,
    IReadOnlyList<NoticeAction> AllowedActions,
    IReadOnlyList<NoticeRightView> Rights,
    IReadOnlyList<NoticeListingView> Listings,
    IReadOnlyList<EvidenceView> Evidence,
    string? Description,
    string GoodFaithStatement,
    string Signature,
    bool FastTrack,
    Guid? LinkedNoticeId,
    DecisionView? Decision,
    CounterNoticeView? CounterNotice,
    FiledActionView? FiledAction,
    AppealView? Appeal,
    FindingView? Finding,
    DeadlinesView Deadlines,
    Distribution Distribution,
    Guid? SharingGroupId,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<TimelineEntry> Timeline,
    SellerLinkView? SellerLink = null);

/// <summary>A notice in a list or the review queue.</summary>
public sealed record NoticeSummary(
    Guid Id,
    NoticeState State,
    InfringementKind Kind,
    string Jurisdiction,
    OrganisationRef Complainant,
    OrganisationRef Platform,
    string Title,
    int Listings,
    bool FastTrack,
    DateTimeOffset ReviewDue,
    DateTimeOffset? ReviewOverdueAt,
    DateTimeOffset? NextDeadline,
    Guid? LinkedNoticeId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A right offered on the filing form.</summary>
public sealed record RightChoice(Guid Id, string Type, string Jurisdiction, string? Number, string Name, string? NameZh);

/// <summary>List filters as the query string gives them.</summary>
public sealed record NoticeFilter(string? Cursor, string? Limit, string? State, string? Role, string? PlatformId, string? Q);

/// <summary>A hit of the screening engine as kept with a listing: facts only, worded in the reader's language when read.</summary>
internal sealed record StoredHit(
    string? MarkId,
    string Mark,
    string Kind,
    int Start,
    int Length,
    string Matched,
    string Normalised,
    int Distance,
    double Score,
    IReadOnlyList<string> Signs,
    string ReasonCode,
    IReadOnlyList<string> ReasonArguments,
    string? Language,
    string Reason,
    OrganisationRef? Owner);
