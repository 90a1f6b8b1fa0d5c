using System.Globalization;
using Tracemark.Core.Money;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Customs;

/// <summary>Where on a declaration line a screening hit was found.</summary>
public enum HitField
{
    Brand,
    Description,
}

/// <summary>
/// A screening hit as scoring needs it: a protected mark (<see cref="RightId"/>) or a risk term (no right),
/// how sure the engine is (1 for an exact hit), and what was written.
/// </summary>
public sealed record LineHit(HitField Field, Guid? RightId, string Mark, string Matched, bool Exact, double Confidence);

/// <summary>A customs recordation or application for action as it bears on a line.</summary>
public sealed record RecordationFacts(string Jurisdiction, string? Reference, DateOnly? ValidFrom, DateOnly? ValidUntil, IReadOnlyList<Guid> AuthorityOrgIds);

/// <summary>What an identification guide says that scoring uses: who may move the goods, how they travel, what they cost.</summary>
public sealed record GuideFacts(IReadOnlyList<GuideParty> Parties, IReadOnlyList<GuideRoute> Routes, IReadOnlyList<PriceBand> PriceBands);

/// <summary>A right whose mark was hit, with its granted recordations and the guides the scoring organisation may see.</summary>
public sealed record RightFacts(
    Guid RightId,
    Guid HolderId,
    string Name,
    string Jurisdiction,
    IReadOnlyList<int> Classes,
    IReadOnlyList<RecordationFacts> Recordations,
    IReadOnlyList<GuideFacts> Guides);

/// <summary>Who scores: the customs organisation (for recordations naming it) and its country (for their jurisdiction).</summary>
public sealed record ScoringContext(Guid CustomsOrgId, string CustomsCountry, ExchangeRates Rates);

/// <summary>One reason for a score: a stable code the reader's language words, the points it adds, and its facts.</summary>
public sealed record RiskReason(string Code, int Points, IReadOnlyDictionary<string, string> Args);

/// <summary>A line's risk: 0 (nothing found) to 100, why, and which rights and holders it concerns.</summary>
public sealed record RiskAssessment(int Score, IReadOnlyList<RiskReason> Reasons, IReadOnlyList<Guid> RightIds, IReadOnlyList<Guid> HolderIds)
{
    public static RiskAssessment Nothing { get; } = new(0, [], [], []);
}

/// <summary>
/// The risk rules for declaration lines, as a table of points. A line's score is the strongest right it
/// concerns (its mark found in the brand or the description, then what makes that hit more suspicious:
/// a recordation customs can act on, an HS code that does not fit the mark's goods, a route the genuine
/// goods do not take, a unit value far below the guide's price band) plus risk terms ("replica", "高仿"),
/// capped at 100. Rights are not added up: a brand recorded in three jurisdictions is one brand.
/// An authorised importer or exporter named in the right's guide takes that right out altogether.
/// </summary>
public static class RiskScoring
{
    public const int MaxScore = 100;

    /// <summary>A unit value below this share of the lowest price in the guide's band is "far below".</summary>
    public const decimal FarBelowShare = 0.5m;

    /// <summary>The points of each reason (mark hits scaled by the engine's confidence).</summary>
    public static IReadOnlyDictionary<string, int> Points { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [RiskReasons.MarkInBrand] = 45,
        [RiskReasons.MarkInDescription] = 35,
        [RiskReasons.RiskTerm] = 20,
        [RiskReasons.Recorded] = 15,
        [RiskReasons.HsInconsistent] = 15,
        [RiskReasons.RouteUnusual] = 10,
        [RiskReasons.PriceFarBelow] = 20,
        [RiskReasons.AuthorisedParty] = 0,
    };

    public static RiskAssessment Assess(DeclarationLine line, IReadOnlyList<LineHit> hits, Func<Guid, RightFacts?> rights, ScoringContext context)
    {
        if (hits.Count == 0)
        {
            return RiskAssessment.Nothing;
        }

        var reasons = new List<RiskReason>();
        var riskTerm = hits.FirstOrDefault(h => h.RightId is null);
        var termPoints = 0;
        if (riskTerm is not null)
        {
            termPoints = Points[RiskReasons.RiskTerm];
            reasons.Add(Reason(RiskReasons.RiskTerm, termPoints, ("term", riskTerm.Mark), ("matched", riskTerm.Matched)));
        }

        var best = 0;
        var rightIds = new List<Guid>();
        var holderIds = new List<Guid>();
        foreach (var group in hits.Where(h => h.RightId is not null).GroupBy(h => h.RightId!.Value))
        {
            var right = rights(group.Key);
            if (right is null)
            {
                // Not a mark the scoring organisation may see: as if it had not been hit.
                continue;
            }

            if (AuthorisedParty(line, right) is { } party)
            {
                reasons.Add(Reason(RiskReasons.AuthorisedParty, 0, ("mark", right.Name), ("party", party.Name), ("role", party.Role.ToWire())));
                continue;
            }

            var hit = group.OrderByDescending(h => Weight(h)).First();
            var code = hit.Field == HitField.Brand ? RiskReasons.MarkInBrand : RiskReasons.MarkInDescription;
            var markPoints = (int)Math.Round(Weight(hit), MidpointRounding.AwayFromZero);
            var own = new List<RiskReason>
            {
                Reason(code, markPoints, ("mark", hit.Mark), ("matched", hit.Matched), ("kind", hit.Exact ? "exact" : "lookalike")),
            };
            if (Recordation(line, right, context) is { } recordation)
            {
                own.Add(Reason(RiskReasons.Recorded, Points[RiskReasons.Recorded], ("mark", right.Name), ("reference", recordation.Reference ?? "-"), ("jurisdiction", recordation.Jurisdiction)));
            }

            if (NiceHsChapters.Fits(right.Classes, line.HsCode.Chapter) == false)
            {
                own.Add(Reason(
                    RiskReasons.HsInconsistent,
                    Points[RiskReasons.HsInconsistent],
                    ("mark", right.Name),
                    ("hsCode", line.HsCode.Digits),
                    ("classes", string.Join(", ", right.Classes.Where(c => c <= 34).Select(c => c.ToString(CultureInfo.InvariantCulture))))));
            }

            if (UnusualRoute(line, right))
            {
                own.Add(Reason(
                    RiskReasons.RouteUnusual,
                    Points[RiskReasons.RouteUnusual],
                    ("mark", right.Name),
                    ("origin", line.Origin),
                    ("destination", line.Destination),
                    ("mode", line.Mode.ToWire()),
                    ("port", line.Port)));
            }

            if (FarBelowPrice(line, right, context.Rates) is { } band)
            {
                own.Add(Reason(
                    RiskReasons.PriceFarBelow,
                    Points[RiskReasons.PriceFarBelow],
                    ("mark", right.Name),
                    ("unitValue", Amount(line.UnitValue)),
                    ("currency", line.Currency),
                    ("unit", line.Unit),
                    ("bandMin", Amount(band.Min)),
                    ("bandCurrency", band.Currency)));
            }

            var total = own.Sum(r => r.Points);
            best = Math.Max(best, total);
            rightIds.Add(right.RightId);
            if (!holderIds.Contains(right.HolderId))
            {
                holderIds.Add(right.HolderId);
            }

            foreach (var reason in own.Where(r => !reasons.Contains(r, ReasonComparer.Instance)))
            {
                reasons.Add(reason);
            }
        }

        var score = Math.Min(MaxScore, best + termPoints);
        return new RiskAssessment(score, [.. reasons.OrderByDescending(r => r.Points)], rightIds, holderIds);
    }

    /// <summary>The party of one of the right's guides that the line's importer or exporter (or consignee, consignor) is, if any.</summary>
    public static GuideParty? AuthorisedParty(DeclarationLine line, RightFacts right)
    {
        foreach (var guide in right.Guides)
        {
            foreach (var party in guide.Parties)
            {
                var matches = party.Role switch
                {
                    PartyRole.Importer => PartyNames.Same(party.Name, line.Importer) || PartyNames.Same(party.Name, line.Consignee),
                    PartyRole.Exporter => PartyNames.Same(party.Name, line.Exporter) || PartyNames.Same(party.Name, line.Consignor),
                    _ => false,
                };
                if (matches)
                {
                    return party;
                }
            }
        }

        return null;
    }

    /// <summary>A granted recordation of the right valid on the line's date in this customs authority's jurisdiction (an EU-wide one in a Member State).</summary>
    public static RecordationFacts? Recordation(DeclarationLine line, RightFacts right, ScoringContext context) =>
        right.Recordations.FirstOrDefault(r =>
            (r.ValidFrom is null || r.ValidFrom <= line.Date)
            && (r.ValidUntil is null || r.ValidUntil >= line.Date)
            && CustomsJurisdictions.Covers(r.Jurisdiction, context.CustomsCountry)
            && (r.AuthorityOrgIds.Count == 0 || r.AuthorityOrgIds.Contains(context.CustomsOrgId)));

    /// <summary>The guides name routes for the genuine goods and the line takes none of them.</summary>
    public static bool UnusualRoute(DeclarationLine line, RightFacts right)
    {
        var routes = right.Guides.SelectMany(g => g.Routes).ToList();
        return routes.Count > 0 && !routes.Any(r =>
            (r.Origin is null || string.Equals(r.Origin, line.Origin, StringComparison.Ordinal))
            && (r.Destination is null || string.Equals(r.Destination, line.Destination, StringComparison.Ordinal))
            && (r.Modes.Count == 0 || r.Modes.Contains(line.Mode))
            && (r.Ports.Count == 0 || r.Ports.Any(p => string.Equals(p.Replace(" ", "", StringComparison.Ordinal), line.Port, StringComparison.OrdinalIgnoreCase))));
    }

    /// <summary>
    /// The guide's band (for the line's unit) whose lowest price the declared unit value is far below, converted
    /// into the band's currency; null when no band counts the same unit, a rate is missing, or the value is plausible.
    /// </summary>
    public static PriceBand? FarBelowPrice(DeclarationLine line, RightFacts right, ExchangeRates rates)
    {
        PriceBand? lowest = null;
        foreach (var band in right.Guides.SelectMany(g => g.PriceBands))
        {
            if (!TradeUnits.Same(band.Unit ?? TradeUnits.Piece, line.Unit) || rates.Convert(line.UnitValue, line.Currency, band.Currency) is not { } value)
            {
                continue;
            }

            if (value < band.Min * FarBelowShare && (lowest is null || band.Min < lowest.Min))
            {
                lowest = band;
            }
            else if (value >= band.Min * FarBelowShare)
            {
                // One band the value fits is enough: the genuine goods are sold at that price somewhere.
                return null;
            }
        }

        return lowest;
    }

    private static double Weight(LineHit hit) => Points[hit.Field == HitField.Brand ? RiskReasons.MarkInBrand : RiskReasons.MarkInDescription] * Math.Clamp(hit.Confidence, 0, 1);

    private static string Amount(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.##", CultureInfo.InvariantCulture);

    private static RiskReason Reason(string code, int points, params (string Key, string Value)[] args) =>
        new(code, points, args.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal));

    private sealed class ReasonComparer : IEqualityComparer<RiskReason>
    {
        public static readonly ReasonComparer Instance = new();

        public bool Equals(RiskReason? x, RiskReason? y) =>
            x is not null && y is not null && string.Equals(x.Code, y.Code, StringComparison.Ordinal) && x.Points == y.Points
            && x.Args.Count == y.Args.Count && x.Args.All(a => y.Args.TryGetValue(a.Key, out var v) && string.Equals(v, a.Value, StringComparison.Ordinal));

        public int GetHashCode(RiskReason obj) => StringComparer.Ordinal.GetHashCode(obj.Code);
    }
}

/// <summary>The codes of the reasons, as stored and as resource keys ("reason.&lt;code&gt;").</summary>
public static class RiskReasons
{
    public const string MarkInBrand = "mark_in_brand";
    public const string MarkInDescription = "mark_in_description";
    public const string RiskTerm = "risk_term";
    public const string Recorded = "recorded";
    public const string HsInconsistent = "hs_inconsistent";
    public const string RouteUnusual = "route_unusual";
    public const string PriceFarBelow = "price_far_below";
    public const string AuthorisedParty = "authorised_party";
}
