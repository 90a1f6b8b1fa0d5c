using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Tracemark.Ledger;

/// <summary>
/// Reads and writes the ledger's JSON by hand: the formats are small and fixed, a verifier must say exactly which
/// field is wrong, and a document with a field twice must be refused rather than read one way here and another
/// way by someone else's verifier.
/// </summary>
internal static class LedgerJson
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 8 };

    public static JsonDocument Parse(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json, Strict);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the {what} is not valid JSON: {ex.Message}", ex);
        }
    }

    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    public static void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} is not a JSON object");
        }
    }

    public static JsonElement Property(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw new FormatException($"{path}: \"{name}\" is missing");
        }

        return value;
    }

    public static ulong UInt64(JsonElement element, string name, string path)
    {
        var value = Property(element, name, path);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt64(out var number))
        {
            throw new FormatException($"{path}: \"{name}\" is not a whole number from 0 to 2^64-1");
        }

        return number;
    }

    public static byte[] Hash(JsonElement element, string name, string path) => HexHash(Property(element, name, path), $"{path}: \"{name}\"");

    public static byte[] Base64(JsonElement element, string name, string path)
    {
        var value = Property(element, name, path);
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var bytes))
        {
            throw new FormatException($"{path}: \"{name}\" is not base64");
        }

        return bytes;
    }

    public static byte[][] HashArray(JsonElement element, string name, string path)
    {
        var value = Property(element, name, path);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{path}: \"{name}\" is not an array");
        }

        var hashes = new byte[value.GetArrayLength()][];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            hashes[i] = HexHash(item, string.Create(CultureInfo.InvariantCulture, $"{path}: \"{name}\"[{i}]"));
            i++;
        }

        return hashes;
    }

    public static void WriteHashArray(Utf8JsonWriter writer, string name, IReadOnlyList<byte[]> hashes)
    {
        writer.WriteStartArray(name);
        foreach (var hash in hashes)
        {
            writer.WriteStringValue(Merkle.Hex(hash));
        }

        writer.WriteEndArray();
    }

    private static byte[] HexHash(JsonElement value, string what)
    {
        var hash = new byte[Merkle.HashSize];
        if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: 2 * Merkle.HashSize } text
            && Convert.FromHexString(text, hash, out _, out _) == OperationStatus.Done)
        {
            return hash;
        }

        throw new FormatException($"{what} is not a SHA-256 hash in hex (64 digits)");
    }
}
