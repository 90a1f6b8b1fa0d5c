using System.Globalization;
using Tracemark.Core.Errors;
using Tracemark.Core.Rights;

namespace Tracemark.Server.Rights;

/// <summary>
/// A guide as the form holds it: one item per line, the parts of an item separated by '|'
/// ("importer | Northwind Europe B.V. | Rotterdam | NL"), lists inside a part by ','.
/// </summary>
public sealed class GuideFormFields
{
    public string? Title { get; set; }

    public string? GenuineFeatures { get; set; }

    public string? FakeIndicators { get; set; }

    public string? Parties { get; set; }

    public string? Routes { get; set; }

    public string? Packaging { get; set; }

    public string? PriceBands { get; set; }

    public string? Contacts { get; set; }

    public static GuideFormFields From(GuideView guide) => new()
    {
        Title = guide.Title,
        GenuineFeatures = string.Join('\n', guide.GenuineFeatures),
        FakeIndicators = string.Join('\n', guide.FakeIndicators),
        Parties = string.Join('\n', guide.Parties.Select(p => Join(p.Role.ToWire(), p.Name, p.Address, p.Country))),
        Routes = string.Join('\n', guide.Routes.Select(r => Join(r.Origin, r.Destination, string.Join(", ", r.Ports), string.Join(", ", r.Modes.Select(m => m.ToWire()))))),
        Packaging = guide.Packaging,
        PriceBands = string.Join('\n', guide.PriceBands.Select(b => Join(b.Product, RightsView.Money(b.Min), RightsView.Money(b.Max), b.Currency, b.Unit))),
        Contacts = string.Join('\n', guide.Contacts.Select(c => Join(c.Name, c.Phone, c.Email, c.Hours, string.Join(", ", c.Languages)))),
    };

    public IReadOnlyList<string> GenuineList() => Lines(GenuineFeatures).ToList();

    public IReadOnlyList<string> FakeList() => Lines(FakeIndicators).ToList();

    public IReadOnlyList<GuidePartyInput> PartyList() => Lines(Parties).Select(Parts).Select(p => new GuidePartyInput(p[0], At(p, 1), At(p, 2), At(p, 3))).ToList();

    public IReadOnlyList<GuideRouteInput> RouteList() =>
        Lines(Routes).Select(Parts).Select(p => new GuideRouteInput(p[0], At(p, 1), List(At(p, 2)), List(At(p, 3)))).ToList();

    public IReadOnlyList<GuideContactInput> ContactList() =>
        Lines(Contacts).Select(Parts).Select(p => new GuideContactInput(p[0], At(p, 1), At(p, 2), At(p, 3), List(At(p, 4)))).ToList();

    /// <summary>Price bands; amounts that are not numbers are reported by line and part.</summary>
    public IReadOnlyList<PriceBandInput> PriceBandList()
    {
        var rules = new FieldRules();
        var result = new List<PriceBandInput>();
        var lines = Lines(PriceBands).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            var p = Parts(lines[i]);
            result.Add(new PriceBandInput(p[0], Amount(rules, i, "min", At(p, 1)), Amount(rules, i, "max", At(p, 2)), At(p, 3), At(p, 4)));
        }

        rules.ThrowIfAny();
        return result;
    }

    private static decimal? Amount(FieldRules rules, int line, string part, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (decimal.TryParse(text.Normalize(System.Text.NormalizationForm.FormKC), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return amount;
        }

        rules.Add(string.Create(CultureInfo.InvariantCulture, $"priceBands[{line}].{part}"), "number.invalid", text);
        return null;
    }

    private static string[] Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] Parts(string line) => line.Split(['|', '｜'], StringSplitOptions.TrimEntries);

    private static string? At(string[] parts, int index) => index < parts.Length && parts[index].Length > 0 ? parts[index] : null;

    private static List<string> List(string? text) =>
        (text ?? "").Split([',', '，', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string Join(params string?[] parts) => string.Join(" | ", parts.Select(p => p ?? "")).TrimEnd(' ', '|');
}
