using Tracemark.Core.Customs;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Rights;

namespace Tracemark.Server.Customs;

public sealed record MoneyView(decimal Amount, string Currency);

public sealed record PresetRef(string Code, string NameEn, string NameZh);

public sealed record EvidenceView(Guid Id, string Kind, string? Caption, string? FileName, string Sha256, string MediaType, long Size, string Url, DateTimeOffset UploadedAt);

public sealed record NoticeView(string Party, string Addressee, string Channel, DateTimeOffset DueAt, DateTimeOffset? SentAt, bool Overdue);

public sealed record CostView(Guid Id, string Kind, MoneyView Amount, DateOnly IncurredOn, string? Note, OrganisationRef ChargedTo, DateTimeOffset RecordedAt);

public sealed record DetentionEventView(DateTimeOffset At, string Action, string? FromState, string ToState, string? Note, OrganisationRef? Actor, string? Detail);

/// <summary>
/// A detention as the API and the pages show it, to the customs organisation, the right holder (and its agents)
/// and whoever else it is shared with. <see cref="WaitingFor"/> says whose move it is ("holder", "declarant",
/// "customs") and <see cref="DueAt"/> by when; <see cref="AllowedActions"/> lists what this caller may do now.
/// </summary>
public sealed record DetentionView(
    Guid Id,
    long Number,
    string Reference,
    string State,
    string Measure,
    string Mode,
    string Procedure,
    bool Perishable,
    PresetRef Preset,
    string Calendar,
    OrganisationRef Customs,
    OrganisationRef Holder,
    IReadOnlyList<RightRef> Rights,
    string? DeclarationNumber,
    DateOnly PresentedOn,
    string? Port,
    string? TransportMode,
    string? Origin,
    string? Destination,
    string Declarant,
    string Description,
    string? HsCode,
    string ProductCategory,
    decimal Quantity,
    string Unit,
    decimal? GrossKg,
    MoneyView Value,
    string? StorageLocation,
    DateTimeOffset DetainedAt,
    DateTimeOffset NoticeDueAt,
    DateTimeOffset? DeclarantNotifiedAt,
    string HolderPosition,
    string? HolderReasons,
    DateTimeOffset? HolderRespondedAt,
    MoneyView? Security,
    string DeclarantPosition,
    string? DeclarantReasons,
    bool Extended,
    string? Timer,
    DateTimeOffset? DueAt,
    bool DueProvisional,
    string? WaitingFor,
    string? ProceedingsReference,
    DateOnly? OutcomeOn,
    string? DestructionCertificate,
    string? DonationRecipient,
    string? OutcomeNote,
    OrganisationRef? ReferredTo,
    DateTimeOffset? ReferredAt,
    string? HandoverSha256,
    Distribution Distribution,
    Guid? SharingGroupId,
    IReadOnlyList<Guid> LineIds,
    IReadOnlyList<EvidenceView> Evidence,
    IReadOnlyList<NoticeView> Notices,
    IReadOnlyList<CostView> Costs,
    IReadOnlyList<MoneyView> CostTotals,
    IReadOnlyList<DetentionEventView> Events,
    IReadOnlyList<string> AllowedActions,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A detention in a list: enough to see its state and whose move it is, and by when.</summary>
public sealed record DetentionSummary(
    Guid Id,
    string Reference,
    string State,
    OrganisationRef Customs,
    OrganisationRef Holder,
    string Description,
    decimal Quantity,
    string Unit,
    MoneyView Value,
    string? Port,
    string? Timer,
    DateTimeOffset? DueAt,
    string? WaitingFor,
    DateTimeOffset DetainedAt);

/// <summary>
/// A new detention: the lines it covers (or a whole consignment by declaration number) and how it is held.
/// Quantity, unit, description and weight default to the lines' own.
/// </summary>
public sealed record NewDetention(
    IReadOnlyList<Guid>? LineIds,
    string? DeclarationNumber,
    string? Measure,
    DetentionMode? Mode,
    DetentionProcedure? Procedure,
    bool? Perishable,
    IReadOnlyList<Guid>? RightIds,
    string? Description,
    decimal? Quantity,
    string? Unit,
    decimal? GrossKg,
    string? StorageLocation,
    bool? DeclarantNotified,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>
/// A step by the customs organisation: one of "declarant_notified", "declarant_objects", "declarant_consents",
/// "extend", "proceedings_started", "release", "forfeit", "destroy", "donate", "refer_to_police", with the
/// facts that step needs.
/// </summary>
public sealed record DetentionActionInput(
    string? Action,
    string? Note,
    string? Reasons,
    string? Date,
    string? Certificate,
    string? Recipient,
    string? ProceedingsReference,
    Guid? PoliceOrgId);

/// <summary>The right holder's answer in one step: "confirm" (with an ex officio notice: apply for action), "deny" or "proceedings", always with reasons.</summary>
public sealed record HolderResponse(string? Decision, string? Reasons, decimal? SecurityAmount, string? SecurityCurrency, string? ProceedingsReference);

public sealed record DetentionChange(string? StorageLocation, Distribution? Distribution, Guid? SharingGroupId);

public sealed record NewCost(string? Kind, decimal? Amount, string? Currency, string? IncurredOn, string? Note);

public sealed record DetentionFilter(string? State, string? Cursor, string? Limit);

internal static class DetentionWords
{
    /// <summary>Whose move it is while a timer runs: the party the period is for.</summary>
    public static string? WaitingFor(string state, string? timer) => timer switch
    {
        "application" or "holder_response" or "small_consignment_proceedings" => "holder",
        "declarant_answer" or "small_consignment_objection" => "declarant",
        // No period running and not over: customs has the next step (a notice to send, a decision, a destruction to carry out).
        _ => state is "destroyed" or "donated" or "released" or "referred_to_police" ? null : "customs",
    };
}
