using Tracemark.Core.Errors;
using Tracemark.Core.Rights;

namespace Tracemark.Server.Rights;

/// <summary>A right as the record and edit forms hold it: text fields, lists one per line or separated by ';'.</summary>
public sealed class RightFormFields
{
    private static readonly char[] ListSeparators = ['\n', ';', '；'];

    public string? Type { get; set; } = "trademark";

    public string? Form { get; set; }

    public string? Jurisdiction { get; set; }

    public string? Number { get; set; }

    public string? ApplicationNumber { get; set; }

    public string? Name { get; set; }

    public string? NameZh { get; set; }

    public string? OtherNames { get; set; }

    public string? Classes { get; set; }

    public string? Goods { get; set; }

    public string? Filed { get; set; }

    public string? Registered { get; set; }

    public string? Expires { get; set; }

    public string? Status { get; set; }

    public string? Area { get; set; }

    public string? Product { get; set; }

    public string? Species { get; set; }

    public string? Description { get; set; }

    public static RightFormFields From(RightView right) => new()
    {
        Type = right.Type.ToWire(),
        Form = right.Form?.ToWire(),
        Jurisdiction = right.Jurisdiction,
        Number = right.Number,
        ApplicationNumber = right.ApplicationNumber,
        Name = right.Name,
        NameZh = right.NameZh,
        OtherNames = string.Join('\n', right.OtherNames),
        Classes = string.Join("; ", right.Classes),
        Goods = right.Goods,
        Filed = Date(right.Filed),
        Registered = Date(right.Registered),
        Expires = Date(right.Expires),
        Status = right.Status.ToWire(),
        Area = right.Area,
        Product = right.Product,
        Species = right.Species,
        Description = right.Description,
    };

    public IReadOnlyList<string> OtherNameList() =>
        (OtherNames ?? "").Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The class list as numbers; text that is not a number is reported under "classes".</summary>
    public IReadOnlyList<int> ClassList()
    {
        var rules = new FieldRules();
        var classes = NiceClasses.ParseList(rules, "classes", Classes);
        rules.ThrowIfAny();
        return classes;
    }

    private static string? Date(DateOnly? date) => date is { } d ? Dates.Format(d) : null;
}
