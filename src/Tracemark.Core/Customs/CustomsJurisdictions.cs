namespace Tracemark.Core.Customs;

/// <summary>Which customs authorities a right or a recordation reaches: its own country, or every EU Member State for EU-wide ones.</summary>
public static class CustomsJurisdictions
{
    /// <summary>The 27 Member States of the European Union (ISO 3166-1), whose customs apply Regulation (EU) No 608/2013.</summary>
    public static IReadOnlySet<string> EuMemberStates { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
        "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    };

    /// <summary>
    /// Whether a recordation (or right) in <paramref name="jurisdiction"/> is one the customs authority of
    /// <paramref name="customsCountry"/> acts on: the same country, or an EU trade mark / Union application
    /// (EM, EU) in a Member State.
    /// </summary>
    public static bool Covers(string jurisdiction, string customsCountry) =>
        string.Equals(jurisdiction, customsCountry, StringComparison.Ordinal)
        || (jurisdiction is "EM" or "EU" && EuMemberStates.Contains(customsCountry));
}
