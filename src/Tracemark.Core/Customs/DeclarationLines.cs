using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;
using Tracemark.Core.Geography;
using Tracemark.Core.Money;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Customs;

/// <summary>One customs declaration line as a file gives it: every value as text, as written.</summary>
public sealed record DeclarationLineInput(
    string? DeclarationNumber,
    string? Line,
    string? Date,
    string? Mode,
    string? Importer,
    string? Exporter,
    string? Consignor,
    string? Consignee,
    string? Origin,
    string? Destination,
    string? Port,
    string? HsCode,
    string? Description,
    string? Brand,
    string? Quantity,
    string? Unit,
    string? Value,
    string? Currency,
    string? GrossKg,
    string? Containers,
    string? Parcels);

/// <summary>A declaration line that passed every rule; text trimmed, codes normalised.</summary>
public sealed record DeclarationLine(
    string DeclarationNumber,
    int Line,
    DateOnly Date,
    TransportMode Mode,
    string? Importer,
    string? Exporter,
    string? Consignor,
    string? Consignee,
    string Origin,
    string Destination,
    string Port,
    HsCode HsCode,
    string Description,
    string? Brand,
    decimal Quantity,
    string Unit,
    decimal Value,
    string Currency,
    decimal? GrossKg,
    IReadOnlyList<string> Containers,
    IReadOnlyList<string> Parcels)
{
    /// <summary>Declared value per unit of quantity, in <see cref="Currency"/>.</summary>
    public decimal UnitValue => Value / Quantity;
}

/// <summary>
/// The rules of one declaration line, checked on its own (rules that need other lines, such as a line
/// number used twice, are checked over the whole file by the importer). Every problem is reported, with
/// the field as the schema names it (camelCase; CSV reports turn it into the column's snake_case).
/// </summary>
public static class DeclarationLines
{
    public const int NumberMax = 50;
    public const int PartyMax = 300;
    public const int DescriptionMax = 1_000;
    public const int BrandMax = 200;
    public const int UnitMax = 20;
    public const int LineMax = 99_999;
    public const int IdsMax = 100;

    // Values that a spreadsheet may write for "no value" and amounts beyond any real consignment are refused alike.
    private const decimal AmountMax = 1_000_000_000_000m;

    // UN/LOCODE location part: letters, and digits 2–9 (0 and 1 would read as O and I).
    private static readonly System.Buffers.SearchValues<char> LocationCharacters = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789");

    private static readonly char[] ListSeparators = [';', ',', ' ', '、', '；', '，', '|', '\t'];

    public static DeclarationLine? Validate(FieldRules rules, DeclarationLineInput input)
    {
        var number = rules.Required("declarationNumber", Fold(input.DeclarationNumber), NumberMax);
        var line = LineNumber(rules, input.Line);
        var date = Dates.Parse(rules, "date", input.Date);
        if (date is null && string.IsNullOrWhiteSpace(input.Date))
        {
            rules.Add("date", "required");
        }

        TransportMode? mode = null;
        if (string.IsNullOrWhiteSpace(input.Mode))
        {
            rules.Add("mode", "required");
        }
        else if (GuideRules.TryParseMode(input.Mode, out var parsed))
        {
            mode = parsed;
        }
        else
        {
            rules.Add("mode", "customs.mode_unknown", input.Mode.Trim(), string.Join(", ", GuideRules.ModeWires));
        }

        var importer = rules.Optional("importer", input.Importer, PartyMax);
        var exporter = rules.Optional("exporter", input.Exporter, PartyMax);
        var consignor = rules.Optional("consignor", input.Consignor, PartyMax);
        var consignee = rules.Optional("consignee", input.Consignee, PartyMax);
        if (importer is null && exporter is null)
        {
            rules.Add("importer", "customs.party_required");
        }

        var origin = Country(rules, "origin", input.Origin);
        var destination = Country(rules, "destination", input.Destination);
        var port = Port(rules, input.Port);
        var hs = HsCodes.Parse(rules, "hsCode", input.HsCode);
        var description = rules.Required("description", input.Description, DescriptionMax);
        var brand = rules.Optional("brand", input.Brand, BrandMax);
        var quantity = Amount(rules, "quantity", input.Quantity, required: true);
        if (quantity is < 0)
        {
            rules.Add("quantity", "customs.quantity_negative", Format(quantity.Value));
        }
        else if (quantity == 0)
        {
            rules.Add("quantity", "customs.quantity_zero");
        }

        var unit = rules.Required("unit", input.Unit?.Normalize(NormalizationForm.FormKC), UnitMax);
        var value = Amount(rules, "value", input.Value, required: true);
        if (value is < 0)
        {
            rules.Add("value", "customs.value_negative", Format(value.Value));
        }

        var currency = Currencies.Normalise(input.Currency);
        if (string.IsNullOrWhiteSpace(input.Currency))
        {
            rules.Add("currency", "required");
        }
        else if (currency is null)
        {
            rules.Add("currency", "currency.unknown", input.Currency.Trim());
        }

        var grossKg = Amount(rules, "grossKg", input.GrossKg, required: false);
        if (grossKg is < 0)
        {
            rules.Add("grossKg", "customs.weight_negative", Format(grossKg.Value));
        }

        var containers = Containers(rules, input.Containers);
        var parcels = Parcels(rules, input.Parcels);

        if (rules.HasErrors || line is null || date is null || mode is null || origin is null || destination is null || port is null || hs is null
            || quantity is null || value is null || currency is null)
        {
            return null;
        }

        return new DeclarationLine(
            number, line.Value, date.Value, mode.Value, importer, exporter, consignor, consignee, origin, destination, port, hs.Value,
            description, brand, quantity.Value, unit, value.Value, currency, grossKg, containers, parcels);
    }

    /// <summary>Whether a container number is well formed (ISO 6346: owner code, category U/J/Z/R, six digits, check digit) and its check digit right.</summary>
    public static bool IsContainerNumber(string id) => id.Length == 11
        && id.AsSpan(0, 3).ContainsAnyExceptInRange('A', 'Z') is false
        && id[3] is 'U' or 'J' or 'Z' or 'R'
        && id.AsSpan(4).ContainsAnyExceptInRange('0', '9') is false
        && ContainerCheckDigit(id) == id[10] - '0';

    /// <summary>ISO 6346 check digit of the first ten characters: letters count 10–38 skipping multiples of 11, each position weighted 2^i.</summary>
    public static int ContainerCheckDigit(string id)
    {
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            var c = id[i];
            int value;
            if (char.IsAsciiDigit(c))
            {
                value = c - '0';
            }
            else
            {
                value = 9;
                for (var letter = 'A'; letter <= c; letter++)
                {
                    value += value % 11 == 10 ? 2 : 1;
                }
            }

            sum += value << i;
        }

        return sum % 11 % 10;
    }

    private static string? Fold(string? text) => text?.Normalize(NormalizationForm.FormKC);

    private static int? LineNumber(FieldRules rules, string? text)
    {
        var folded = Fold(text)?.Trim();
        if (string.IsNullOrEmpty(folded))
        {
            rules.Add("line", "required");
            return null;
        }

        if (int.TryParse(folded, NumberStyles.None, CultureInfo.InvariantCulture, out var line) && line is >= 1 and <= LineMax)
        {
            return line;
        }

        rules.Add("line", "customs.line_invalid", folded, LineMax);
        return null;
    }

    private static string? Country(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            rules.Add(field, "required");
            return null;
        }

        var code = Countries.Normalise(text);
        if (code is null)
        {
            rules.Add(field, "country.unknown", text.Trim());
        }

        return code;
    }

    /// <summary>A UN/LOCODE: the country's ISO code and three letters or digits 2–9 ("CNNGB", "DE HAM").</summary>
    private static string? Port(FieldRules rules, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            rules.Add("port", "required");
            return null;
        }

        var code = Fold(text)!.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        if (code.Length == 5 && Countries.IsCode(code[..2]) && code.AsSpan(2).ContainsAnyExcept(LocationCharacters) is false)
        {
            return code;
        }

        rules.Add("port", "customs.port_invalid", text.Trim());
        return null;
    }

    private static decimal? Amount(FieldRules rules, string field, string? text, bool required)
    {
        var folded = Fold(text)?.Trim();
        if (string.IsNullOrEmpty(folded))
        {
            if (required)
            {
                rules.Add(field, "required");
            }

            return null;
        }

        if (decimal.TryParse(folded, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            && Math.Abs(amount) < AmountMax)
        {
            return amount;
        }

        rules.Add(field, "customs.amount_invalid", folded);
        return null;
    }

    private static List<string> Containers(FieldRules rules, string? text)
    {
        var ids = Split(rules, "containerIds", text);
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i] = ids[i].ToUpperInvariant();
            if (!IsContainerNumber(ids[i]))
            {
                rules.Add("containerIds", "customs.container_invalid", ids[i]);
            }
        }

        return ids;
    }

    private static List<string> Parcels(FieldRules rules, string? text)
    {
        var ids = Split(rules, "parcelIds", text);
        foreach (var id in ids.Where(id => id.Length > NumberMax))
        {
            rules.Add("parcelIds", "too_long", NumberMax);
        }

        return ids;
    }

    private static List<string> Split(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var ids = Fold(text)!.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > IdsMax)
        {
            rules.Add(field, "too_many", IdsMax);
            return [];
        }

        return ids;
    }

    private static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
