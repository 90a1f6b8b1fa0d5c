using System.Collections.Frozen;
using System.Text.Json;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Complaints;

/// <summary>The kind of infringement a notice alleges.</summary>
public enum InfringementKind
{
    Counterfeit,
    TrademarkMisuse,
    Copyright,
    Patent,
    Design,
}

/// <summary>What the platform does about the listings.</summary>
public enum Measure
{
    Remove,
    Block,
    Restrict,
    NoAction,
}

/// <summary>What the platform found a failed notice to be.</summary>
public enum Finding
{
    /// <summary>Mistaken: the complainant had no case.</summary>
    Wrongful,

    /// <summary>Made in bad faith (e.g. to harm a competitor): PRC E-commerce Law art. 42(3).</summary>
    Malicious,
}

/// <summary>What the complainant shows to keep the measure in force after a counter-notice.</summary>
public enum FiledActionKind
{
    /// <summary>A complaint to a competent authority (e.g. a market regulator).</summary>
    Complaint,

    /// <summary>A lawsuit in a court.</summary>
    Lawsuit,
}

/// <summary>When the restore period starts: PRC art. 43 counts from forwarding, DMCA § 512(g)(2)(C) from receipt.</summary>
public enum RestoreStart
{
    CounterNoticeForwarded,
    CounterNoticeReceived,
}

/// <summary>Stable snake_case names of the complaint enums, as the API, the database and the resources spell them.</summary>
public static class ComplaintWire
{
    public static string ToWire<T>(T value)
        where T : struct, Enum => Names<T>.ToWire[value];

    public static bool TryParse<T>(string? wire, out T value)
        where T : struct, Enum
    {
        if (wire is not null && Names<T>.FromWire.TryGetValue(wire, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    public static T Parse<T>(string wire)
        where T : struct, Enum =>
        TryParse<T>(wire, out var value) ? value : throw new ArgumentOutOfRangeException(nameof(wire), wire, $"Not a {typeof(T).Name}.");

    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum => Names<T>.Ordered;

    /// <summary>Measures that take the listings down (all but no action).</summary>
    public static bool TakesDown(Measure measure) => measure != Measure.NoAction;

    /// <summary>
    /// The types of right a kind of infringement can rest on: a counterfeit or a misused mark needs a
    /// trademark (or a geographical indication), a pirated work a copyright, and so on.
    /// </summary>
    public static IReadOnlyList<RightType> RightTypesFor(InfringementKind kind) => kind switch
    {
        InfringementKind.Counterfeit => [RightType.Trademark, RightType.GeographicalIndication],
        InfringementKind.TrademarkMisuse => [RightType.Trademark, RightType.GeographicalIndication],
        InfringementKind.Copyright => [RightType.Copyright],
        InfringementKind.Patent => [RightType.Patent],
        InfringementKind.Design => [RightType.Design],
        _ => [],
    };

    // Computed once per enum: the pages and the sweep name states thousands of times.
    private static class Names<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ToWire = Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));
        public static readonly FrozenDictionary<string, T> FromWire = ToWire.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        public static readonly IReadOnlyList<string> Ordered = Enum.GetValues<T>().Select(v => ToWire[v]).ToList();
    }
}
