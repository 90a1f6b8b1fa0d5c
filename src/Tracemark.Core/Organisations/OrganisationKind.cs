namespace Tracemark.Core.Organisations;

/// <summary>What an organisation is in the enforcement system; it decides which records and actions make sense for it.</summary>
public enum OrganisationKind
{
    Customs,
    MarketRegulator,
    Police,
    Prosecutor,
    Court,
    IpOffice,
    MediationBody,
    Platform,
    RightsHolder,
    Agent,
    CoordinatingOffice,
    ForeignPartner,
}

public static class OrganisationKinds
{
    private static readonly (OrganisationKind Kind, string Wire)[] Names =
    [
        (OrganisationKind.Customs, "customs"),
        (OrganisationKind.MarketRegulator, "market_regulator"),
        (OrganisationKind.Police, "police"),
        (OrganisationKind.Prosecutor, "prosecutor"),
        (OrganisationKind.Court, "court"),
        (OrganisationKind.IpOffice, "ip_office"),
        (OrganisationKind.MediationBody, "mediation_body"),
        (OrganisationKind.Platform, "platform"),
        (OrganisationKind.RightsHolder, "rights_holder"),
        (OrganisationKind.Agent, "agent"),
        (OrganisationKind.CoordinatingOffice, "coordinating_office"),
        (OrganisationKind.ForeignPartner, "foreign_partner"),
    ];

    public static IEnumerable<OrganisationKind> All => Names.Select(n => n.Kind);

    /// <summary>The name used in the database, the API and resource keys.</summary>
    public static string ToWire(this OrganisationKind kind) => Names.First(n => n.Kind == kind).Wire;

    public static bool TryParse(string? wire, out OrganisationKind kind)
    {
        foreach (var (k, w) in Names)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static OrganisationKind Parse(string wire) =>
        TryParse(wire, out var kind) ? kind : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown organisation kind.");

    /// <summary>
    /// Organisations that enforce the law (and so may see identification guides and detentions).
    /// A foreign partner is an enforcement agency abroad.
    /// </summary>
    public static bool IsEnforcement(this OrganisationKind kind) => kind is OrganisationKind.Customs
        or OrganisationKind.MarketRegulator or OrganisationKind.Police or OrganisationKind.Prosecutor
        or OrganisationKind.Court or OrganisationKind.IpOffice or OrganisationKind.CoordinatingOffice
        or OrganisationKind.ForeignPartner;
}
