using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Platform.Api;

/// <summary>One page of a list and the opaque cursor of the next one (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Cursor pagination: a cursor is the opaque, URL-safe encoding of the last position returned, so
/// pages stay stable while records are added (unlike offsets).
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static int Limit(FieldRules rules, int? limit)
    {
        if (limit is null)
        {
            return DefaultLimit;
        }

        if (limit is < 1 or > MaxLimit)
        {
            rules.Add("limit", "out_of_range", 1, MaxLimit);
            return DefaultLimit;
        }

        return limit.Value;
    }

    public static string Encode(string position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(position)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(FieldRules rules, string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            rules.Add("cursor", "cursor.invalid");
            return null;
        }
    }

    /// <summary>A cursor that holds a record id (records keyed by time-ordered UUIDv7 are listed newest first).</summary>
    public static Guid? DecodeId(FieldRules rules, string? cursor)
    {
        var position = Decode(rules, cursor);
        if (position is null)
        {
            return null;
        }

        if (Guid.TryParse(position, out var id))
        {
            return id;
        }

        rules.Add("cursor", "cursor.invalid");
        return null;
    }

    /// <summary>Takes one more row than the limit to know whether another page exists.</summary>
    public static Page<T> Build<T>(IReadOnlyList<T> rows, int limit, Func<T, string> position)
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        var items = rows.Take(limit).ToList();
        return new Page<T>(items, Encode(position(items[^1])));
    }
}
