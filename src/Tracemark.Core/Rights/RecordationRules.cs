using Tracemark.Core.Errors;

namespace Tracemark.Core.Rights;

/// <summary>A PRC customs recordation (知识产权海关保护备案) or an application for action (EU Regulation 608/2013).</summary>
public enum RecordationKind
{
    Recordation,
    ApplicationForAction,
}

public enum RecordationStatus
{
    Submitted,
    Granted,
    Rejected,
    Expired,
}

public sealed record RecordationDates(DateOnly? Filed, DateOnly? ValidFrom, DateOnly? ValidUntil);

public static class RecordationRules
{
    public const int GoodsMax = 5_000;
    public const int ReferenceMax = 100;
    public const int AuthoritiesMax = 50;

    /// <summary>Reminders of renewal go out this many days before a granted recordation expires.</summary>
    public const int ReminderDays = 30;

    public static string ToWire(this RecordationKind kind) => kind == RecordationKind.Recordation ? "recordation" : "application_for_action";

    public static string ToWire(this RecordationStatus status) => status.ToString().ToLowerInvariant();

    public static RecordationKind ParseKind(string wire) => wire == "recordation" ? RecordationKind.Recordation : RecordationKind.ApplicationForAction;

    public static RecordationStatus ParseStatus(string wire) => Enum.Parse<RecordationStatus>(wire, ignoreCase: true);

    /// <summary>
    /// Validity is stored as given, never derived (ten years for a PRC recordation, one year renewable for
    /// an EU application): it must run forwards, and a granted recordation must say until when.
    /// </summary>
    public static RecordationDates Dates(FieldRules rules, string? filed, string? validFrom, string? validUntil, RecordationStatus status)
    {
        var f = Rights.Dates.Parse(rules, "filed", filed);
        var from = Rights.Dates.Parse(rules, "validFrom", validFrom);
        var until = Rights.Dates.Parse(rules, "validUntil", validUntil);
        if (from is { } a && until is { } b && b <= a)
        {
            rules.Add("validUntil", "date.not_after", "validFrom", Rights.Dates.Format(a));
        }

        if (status == RecordationStatus.Granted && until is null && !rules.Errors.Any(e => e.Field == "validUntil"))
        {
            rules.Add("validUntil", "recordation.granted_needs_validity");
        }

        return new RecordationDates(f, from, until);
    }

    /// <summary>The day from which the renewal reminder is due.</summary>
    public static DateOnly ReminderDue(DateOnly validUntil) => validUntil.AddDays(-ReminderDays);
}
