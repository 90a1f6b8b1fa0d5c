using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;
using Tracemark.Core.Geography;
using Tracemark.Core.Money;

namespace Tracemark.Core.Rights;

public enum PartyRole
{
    Manufacturer,
    Importer,
    Exporter,
    Distributor,
}

public enum TransportMode
{
    Sea,
    Air,
    Rail,
    Road,
    Post,
    Express,
}

public sealed record GuideParty(PartyRole Role, string Name, string? Address, string? Country);

public sealed record GuideRoute(string? Origin, string? Destination, IReadOnlyList<string> Ports, IReadOnlyList<TransportMode> Modes);

public sealed record PriceBand(string? Product, decimal Min, decimal Max, string Currency, string? Unit);

public sealed record GuideContact(string Name, string? Phone, string? Email, string? Hours, IReadOnlyList<string> Languages);

/// <summary>A guide's parts as a client sends them, text as typed.</summary>
public sealed record GuidePartyInput(string? Role, string? Name, string? Address, string? Country);

public sealed record GuideRouteInput(string? Origin, string? Destination, IReadOnlyList<string>? Ports, IReadOnlyList<string>? Modes);

public sealed record PriceBandInput(string? Product, decimal? Min, decimal? Max, string? Currency, string? Unit);

public sealed record GuideContactInput(string? Name, string? Phone, string? Email, string? Hours, IReadOnlyList<string>? Languages);

/// <summary>
/// Rules for identification guides: what genuine goods look like, who may make and move them, their
/// usual routes and prices, whom to call. Lists are bounded so a guide stays readable at a border post.
/// </summary>
public static class GuideRules
{
    public const int TitleMax = 200;
    public const int ItemsMax = 50;
    public const int FeatureMax = 1_000;
    public const int PackagingMax = 5_000;

    private static readonly (PartyRole Role, string Wire, string[] Aliases)[] Roles =
    [
        (PartyRole.Manufacturer, "manufacturer", ["生产商", "制造商", "工厂"]),
        (PartyRole.Importer, "importer", ["进口商"]),
        (PartyRole.Exporter, "exporter", ["出口商"]),
        (PartyRole.Distributor, "distributor", ["经销商", "分销商", "代理商"]),
    ];

    private static readonly (TransportMode Mode, string Wire, string[] Aliases)[] Modes =
    [
        (TransportMode.Sea, "sea", ["海运"]),
        (TransportMode.Air, "air", ["空运"]),
        (TransportMode.Rail, "rail", ["铁路"]),
        (TransportMode.Road, "road", ["公路"]),
        (TransportMode.Post, "post", ["邮递", "邮政"]),
        (TransportMode.Express, "express", ["快件", "快递"]),
    ];

    public static IReadOnlyList<string> RoleWires => Roles.Select(r => r.Wire).ToList();

    public static IReadOnlyList<string> ModeWires => Modes.Select(m => m.Wire).ToList();

    public static string ToWire(this PartyRole role) => Roles.First(r => r.Role == role).Wire;

    public static string ToWire(this TransportMode mode) => Modes.First(m => m.Mode == mode).Wire;

    public static bool TryParseRole(string? text, out PartyRole role) => TryParse(Roles, text, out role);

    public static bool TryParseMode(string? text, out TransportMode mode) => TryParse(Modes, text, out mode);

    public static IReadOnlyList<string> Texts(FieldRules rules, string field, IReadOnlyList<string>? items)
    {
        var result = new List<string>();
        if (items is null)
        {
            return result;
        }

        if (items.Count > ItemsMax)
        {
            rules.Add(field, "too_many", ItemsMax);
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var text = rules.Optional(Index(field, i), items[i], FeatureMax);
            if (text is not null)
            {
                result.Add(text);
            }
        }

        return result;
    }

    public static IReadOnlyList<GuideParty> Parties(FieldRules rules, IReadOnlyList<GuidePartyInput>? parties)
    {
        var result = new List<GuideParty>();
        if (!Bounded(rules, "parties", parties))
        {
            return result;
        }

        for (var i = 0; i < parties!.Count; i++)
        {
            var field = Index("parties", i);
            var party = parties[i];
            if (party is null)
            {
                rules.Add(field, "required");
                continue;
            }

            var name = rules.Required(field + ".name", party.Name, 300);
            var address = rules.Optional(field + ".address", party.Address, 500);
            var country = Country(rules, field + ".country", party.Country);
            if (!TryParseRole(party.Role, out var role))
            {
                rules.Add(field + ".role", "guide.role_unknown", party.Role ?? "", string.Join(", ", RoleWires));
                continue;
            }

            result.Add(new GuideParty(role, name, address, country));
        }

        return result;
    }

    public static IReadOnlyList<GuideRoute> Routes(FieldRules rules, IReadOnlyList<GuideRouteInput>? routes)
    {
        var result = new List<GuideRoute>();
        if (!Bounded(rules, "routes", routes))
        {
            return result;
        }

        for (var i = 0; i < routes!.Count; i++)
        {
            var field = Index("routes", i);
            var route = routes[i];
            if (route is null)
            {
                rules.Add(field, "required");
                continue;
            }

            var origin = Country(rules, field + ".origin", route.Origin);
            var destination = Country(rules, field + ".destination", route.Destination);
            if (origin is null && destination is null && !rules.Errors.Any(e => e.Field.StartsWith(field, StringComparison.Ordinal)))
            {
                rules.Add(field + ".origin", "required");
            }

            var ports = Texts(rules, field + ".ports", route.Ports).Select(p => p.Length > 100 ? p[..100] : p).ToList();
            var modes = new List<TransportMode>();
            for (var m = 0; m < (route.Modes?.Count ?? 0); m++)
            {
                if (TryParseMode(route.Modes![m], out var mode))
                {
                    if (!modes.Contains(mode))
                    {
                        modes.Add(mode);
                    }
                }
                else
                {
                    rules.Add(Index(field + ".modes", m), "guide.mode_unknown", route.Modes[m] ?? "", string.Join(", ", ModeWires));
                }
            }

            result.Add(new GuideRoute(origin, destination, ports, modes));
        }

        return result;
    }

    public static IReadOnlyList<PriceBand> PriceBands(FieldRules rules, IReadOnlyList<PriceBandInput>? bands)
    {
        var result = new List<PriceBand>();
        if (!Bounded(rules, "priceBands", bands))
        {
            return result;
        }

        for (var i = 0; i < bands!.Count; i++)
        {
            var field = Index("priceBands", i);
            var band = bands[i];
            if (band is null)
            {
                rules.Add(field, "required");
                continue;
            }

            var product = rules.Optional(field + ".product", band.Product, 200);
            var unit = rules.Optional(field + ".unit", band.Unit, 50);
            var currency = Currencies.Normalise(band.Currency);
            if (string.IsNullOrWhiteSpace(band.Currency))
            {
                rules.Add(field + ".currency", "required");
            }
            else if (currency is null)
            {
                rules.Add(field + ".currency", "currency.unknown", band.Currency.Trim());
            }

            if (band.Min is null)
            {
                rules.Add(field + ".min", "required");
            }
            else if (band.Min < 0)
            {
                rules.Add(field + ".min", "guide.price_negative");
            }

            if (band.Max is null)
            {
                rules.Add(field + ".max", "required");
            }
            else if (band.Min is { } min && band.Max < min)
            {
                rules.Add(field + ".max", "guide.price_below_min", min.ToString(CultureInfo.InvariantCulture));
            }

            if (currency is not null && band is { Min: { } low and >= 0, Max: { } high } && high >= low)
            {
                result.Add(new PriceBand(product, low, high, currency, unit));
            }
        }

        return result;
    }

    public static IReadOnlyList<GuideContact> Contacts(FieldRules rules, IReadOnlyList<GuideContactInput>? contacts)
    {
        var result = new List<GuideContact>();
        if (!Bounded(rules, "contacts", contacts))
        {
            return result;
        }

        for (var i = 0; i < contacts!.Count; i++)
        {
            var field = Index("contacts", i);
            var contact = contacts[i];
            if (contact is null)
            {
                rules.Add(field, "required");
                continue;
            }

            var name = rules.Required(field + ".name", contact.Name, 200);
            var phone = rules.Optional(field + ".phone", contact.Phone, 100);
            var email = rules.Optional(field + ".email", contact.Email, 254);
            var hours = rules.Optional(field + ".hours", contact.Hours, 200);
            if (phone is null && email is null)
            {
                rules.Add(field + ".phone", "guide.contact_unreachable");
            }

            var languages = (contact.Languages ?? []).Select(l => l?.Trim() ?? "").Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (languages.Count > 10 || languages.Any(l => l.Length > 35))
            {
                rules.Add(field + ".languages", "invalid_value");
            }

            result.Add(new GuideContact(name, phone, email, hours, languages));
        }

        return result;
    }

    private static string? Country(FieldRules rules, string field, string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var country = Countries.Normalise(code.Normalize(NormalizationForm.FormKC));
        if (country is null)
        {
            rules.Add(field, "country.unknown", code.Trim());
        }

        return country;
    }

    private static bool Bounded<T>(FieldRules rules, string field, IReadOnlyList<T>? items)
    {
        if (items is null || items.Count == 0)
        {
            return false;
        }

        if (items.Count > ItemsMax)
        {
            rules.Add(field, "too_many", ItemsMax);
            return false;
        }

        return true;
    }

    private static string Index(string field, int i) => string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]");

    private static bool TryParse<T>((T Value, string Wire, string[] Aliases)[] table, string? text, out T value)
        where T : struct
    {
        value = default;
        var key = text?.Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant();
        foreach (var (candidate, wire, aliases) in table)
        {
            if (string.Equals(wire, key, StringComparison.Ordinal) || (key is not null && aliases.Contains(key, StringComparer.Ordinal)))
            {
                value = candidate;
                return true;
            }
        }

        return false;
    }
}
