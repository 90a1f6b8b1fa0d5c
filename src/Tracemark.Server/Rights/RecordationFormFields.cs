using Tracemark.Core.Rights;

namespace Tracemark.Server.Rights;

/// <summary>A recordation as its form holds it.</summary>
public sealed class RecordationFormFields
{
    private static readonly char[] Lines = ['\n', ';', '；'];

    public string? Kind { get; set; } = "recordation";

    public string? Jurisdiction { get; set; }

    public string? Reference { get; set; }

    public string? Authorities { get; set; }

    public string? Goods { get; set; }

    public string? Status { get; set; } = "submitted";

    public string? Filed { get; set; }

    public string? ValidFrom { get; set; }

    public string? ValidUntil { get; set; }

    public static RecordationFormFields From(RecordationView recordation) => new()
    {
        Kind = recordation.Kind.ToWire(),
        Jurisdiction = recordation.Jurisdiction,
        Reference = recordation.Reference,
        Authorities = string.Join('\n', recordation.Authorities),
        Goods = recordation.Goods,
        Status = recordation.Status.ToWire(),
        Filed = Format(recordation.Filed),
        ValidFrom = Format(recordation.ValidFrom),
        ValidUntil = Format(recordation.ValidUntil),
    };

    public IReadOnlyList<string> AuthorityList() => (Authorities ?? "").Split(Lines, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public RecordationStatus? StatusValue() => Enum.TryParse<RecordationStatus>(Status, ignoreCase: true, out var status) ? status : null;

    private static string? Format(DateOnly? date) => date is { } d ? Dates.Format(d) : null;
}
