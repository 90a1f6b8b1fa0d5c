using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Export;
using Tracemark.Server.Rights.Import;

namespace Tracemark.Server.Customs.Import;

/// <summary>One row of a declarations file: the line of the file it starts on, and either its values or what made it unreadable.</summary>
public sealed record DeclarationRow(int FileLine, DeclarationLineInput? Input, IReadOnlyList<FieldError> Problems);

/// <summary>
/// Reads declaration lines from CSV or JSON as a stream, one row at a time, with the readers the rights
/// import uses (RFC 4180 records and JSON array elements, each named by the line it starts on). The
/// schema is docs/customs-declarations.md; a header the schema does not know refuses the whole file.
/// </summary>
public static class DeclarationReader
{
    /// <summary>Columns in the schema's order (exports and the documentation use it).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "declaration_number", "line", "date", "mode", "importer", "exporter", "consignor", "consignee", "origin", "destination", "port",
        "hs_code", "description", "brand", "quantity", "unit", "value", "currency", "gross_kg", "container_ids", "parcel_ids",
    ];

    public static readonly IReadOnlyList<string> RequiredColumns =
    [
        "declaration_number", "line", "date", "mode", "origin", "destination", "port", "hs_code", "description", "quantity", "unit", "value", "currency",
    ];

    // Header names as Chinese customs software and spreadsheets write them.
    private static readonly Dictionary<string, string> ChineseColumns = new(StringComparer.Ordinal)
    {
        ["报关单号"] = "declaration_number",
        ["报关单编号"] = "declaration_number",
        ["项号"] = "line",
        ["商品序号"] = "line",
        ["申报日期"] = "date",
        ["运输方式"] = "mode",
        ["进口商"] = "importer",
        ["出口商"] = "exporter",
        ["发货人"] = "consignor",
        ["收货人"] = "consignee",
        ["原产国"] = "origin",
        ["原产国(地区)"] = "origin",
        ["目的国"] = "destination",
        ["目的国(地区)"] = "destination",
        ["口岸"] = "port",
        ["进出境口岸"] = "port",
        ["商品编码"] = "hs_code",
        ["商品名称"] = "description",
        ["品牌"] = "brand",
        ["数量"] = "quantity",
        ["单位"] = "unit",
        ["总价"] = "value",
        ["价值"] = "value",
        ["币制"] = "currency",
        ["毛重"] = "gross_kg",
        ["毛重(千克)"] = "gross_kg",
        ["集装箱号"] = "container_ids",
        ["运单号"] = "parcel_ids",
        ["包裹号"] = "parcel_ids",
    };

    private static readonly JsonSerializerOptions ItemJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static async IAsyncEnumerable<DeclarationRow> ReadCsvAsync(Stream content, DetectedEncoding encoding, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var text = new StreamReader(content, encoding.Encoding, detectEncodingFromByteOrderMarks: false, 65_536);
        var reader = new CsvRecordReader(text);
        var header = await reader.ReadAsync(cancellationToken) ?? throw new InputValidationException("file", "file.empty");
        var columns = Header(header);
        var index = Columns.Select(c => columns.IndexOf(c)).ToArray();
        while (true)
        {
            CsvRecord? record;
            try
            {
                record = await reader.ReadAsync(cancellationToken);
            }
            catch (CsvTooLongException ex)
            {
                throw new InputValidationException("file", "import.record_too_long", ex.Line);
            }

            if (record is null)
            {
                yield break;
            }

            if (record.Fields.Count != columns.Count)
            {
                yield return new DeclarationRow(record.Line, null, [new FieldError("row", "import.field_count", columns.Count, record.Fields.Count)]);
                continue;
            }

            string? Cell(int column)
            {
                var position = index[column];
                if (position < 0)
                {
                    return null;
                }

                var value = record.Fields[position];
                if (value.Length == 0)
                {
                    return null;
                }

                value = CsvWriter.Unguard(value.Trim());
                return value.Length == 0 ? null : value;
            }

            IReadOnlyList<FieldError> problems = record.Fields.Any(f => f.Contains('\uFFFD', StringComparison.Ordinal))
                ? [new FieldError("row", "import.invalid_bytes", encoding.Name.ToUpperInvariant())]
                : [];
            var input = new DeclarationLineInput(
                Cell(0), Cell(1), Cell(2), Cell(3), Cell(4), Cell(5), Cell(6), Cell(7), Cell(8), Cell(9), Cell(10), Cell(11), Cell(12), Cell(13),
                Cell(14), Cell(15), Cell(16), Cell(17), Cell(18), Cell(19), Cell(20));
            yield return new DeclarationRow(record.Line, input, problems);
        }
    }

    public static async IAsyncEnumerable<DeclarationRow> ReadJsonAsync(Stream content, DetectedEncoding encoding, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in JsonArrayReader.ItemsAsync(content, encoding, cancellationToken))
        {
            JsonLine? element = null;
            FieldError? problem = null;
            try
            {
                element = JsonSerializer.Deserialize<JsonLine>(item.Utf8.Span, ItemJson);
            }
            catch (JsonException ex)
            {
                var path = ex.Path is null or "$" ? "row" : ex.Path.TrimStart('$').TrimStart('.');
                problem = new FieldError(path, "json.invalid_value");
            }

            if (element is null)
            {
                yield return new DeclarationRow(item.Line, null, [problem ?? new FieldError("row", "import.json_not_object")]);
                continue;
            }

            var problems = new List<FieldError>();
            if (item.Utf8.Span.IndexOf("\uFFFD"u8) >= 0)
            {
                problems.Add(new FieldError("row", "import.invalid_bytes", encoding.Name.ToUpperInvariant()));
            }

            var input = new DeclarationLineInput(
                element.DeclarationNumber, Scalar(problems, "line", element.Line), element.Date, element.Mode, element.Importer, element.Exporter,
                element.Consignor, element.Consignee, element.Origin, element.Destination, element.Port, element.HsCode, element.Description, element.Brand,
                Scalar(problems, "quantity", element.Quantity), element.Unit, Scalar(problems, "value", element.Value), element.Currency,
                Scalar(problems, "grossKg", element.GrossKg), List(problems, "containerIds", element.ContainerIds), List(problems, "parcelIds", element.ParcelIds));
            yield return new DeclarationRow(item.Line, input, problems);
        }
    }

    /// <summary>A file sent as CSV that is really JSON (or the other way round) gets a clear answer, not a row of errors.</summary>
    public static void CheckLooksLike(bool json, ReadOnlySpan<byte> sample, DetectedEncoding encoding)
    {
        var text = encoding.Encoding.GetString(sample[..Math.Min(sample.Length, 256)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        var looksJson = text.StartsWith('[') || text.StartsWith('{');
        if (!json && looksJson)
        {
            throw new InputValidationException("file", "import.not_csv");
        }

        if (json && !looksJson)
        {
            throw new InputValidationException("file", "import.not_json");
        }
    }

    private static List<string> Header(CsvRecord header)
    {
        var rules = new FieldRules();
        var columns = CsvHeader.Columns(header, Columns, RequiredColumns, ChineseColumns, rules);

        if (!columns.Contains("importer", StringComparer.Ordinal) && !columns.Contains("exporter", StringComparer.Ordinal))
        {
            rules.Add("header", "import.missing_column", "importer");
        }

        rules.ThrowIfAny();
        return columns;
    }

    /// <summary>A number written as a JSON number or as a string ("12.5", "１２"); anything else is a problem of its own.</summary>
    private static string? Scalar(List<FieldError> problems, string field, JsonElement? value)
    {
        switch (value?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Number:
                return value.Value.GetRawText();
            case JsonValueKind.String:
                return value.Value.GetString();
            default:
                problems.Add(new FieldError(field, "json.invalid_value"));
                return null;
        }
    }

    /// <summary>Ids as an array of strings or as the CSV writes them ("MSCU…;TGHU…").</summary>
    private static string? List(List<FieldError> problems, string field, JsonElement? value)
    {
        switch (value?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return value.Value.GetString();
            case JsonValueKind.Array:
                var items = new List<string>();
                var i = 0;
                foreach (var element in value.Value.EnumerateArray())
                {
                    if (element.ValueKind == JsonValueKind.String)
                    {
                        items.Add(element.GetString()!);
                    }
                    else
                    {
                        problems.Add(new FieldError(string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]"), "json.invalid_value"));
                    }

                    i++;
                }

                return string.Join(';', items);
            default:
                problems.Add(new FieldError(field, "json.invalid_value"));
                return null;
        }
    }

    /// <summary>One JSON element: the CSV's columns in camelCase.</summary>
    private sealed record JsonLine(
        string? DeclarationNumber, JsonElement? Line, string? Date, string? Mode, string? Importer, string? Exporter, string? Consignor,
        string? Consignee, string? Origin, string? Destination, string? Port, string? HsCode, string? Description, string? Brand,
        JsonElement? Quantity, string? Unit, JsonElement? Value, string? Currency, JsonElement? GrossKg, JsonElement? ContainerIds,
        JsonElement? ParcelIds);
}
