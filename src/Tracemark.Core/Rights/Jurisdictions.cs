using System.Text;
using Tracemark.Core.Geography;

namespace Tracemark.Core.Rights;

/// <summary>A regional or international office that grants rights, with its WIPO ST.3 code.</summary>
public sealed record RightsOffice(string Code, string NameEn, string NameZh, string[] Aliases);

/// <summary>
/// Where a right is in force: an ISO 3166-1 country, or a regional or international office by its
/// WIPO Standard ST.3 code (EM for the EUIPO, WO for WIPO, …). ST.3 gives countries the same codes as
/// ISO 3166, so one two-letter column holds both.
/// </summary>
public static class Jurisdictions
{
    public static readonly IReadOnlyList<RightsOffice> Offices =
    [
        new("EM", "European Union Intellectual Property Office (EUIPO)", "欧盟知识产权局", ["EUIPO", "OHIM", "EU"]),
        new("EP", "European Patent Office", "欧洲专利局", ["EPO"]),
        new("WO", "World Intellectual Property Organization (International Bureau)", "世界知识产权组织国际局", ["WIPO"]),
        new("BX", "Benelux Office for Intellectual Property", "比荷卢知识产权局", ["BOIP"]),
        new("OA", "African Intellectual Property Organization (OAPI)", "非洲知识产权组织", ["OAPI"]),
        new("AP", "African Regional Intellectual Property Organization (ARIPO)", "非洲地区知识产权组织", ["ARIPO"]),
        new("EA", "Eurasian Patent Organization", "欧亚专利组织", ["EAPO"]),
        new("GC", "Patent Office of the Gulf Cooperation Council", "海湾阿拉伯国家合作委员会专利局", ["GCCPO"]),
        new("QZ", "Community Plant Variety Office (CPVO)", "欧盟植物品种局", ["CPVO"]),
    ];

    /// <summary>The code for a country or office, from "cn", "ＣＮ", "EM" or "EUIPO"; null when unknown.</summary>
    public static string? Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var key = text.Normalize(NormalizationForm.FormKC).Trim().ToUpperInvariant();
        if (Countries.IsCode(key))
        {
            return key;
        }

        foreach (var office in Offices)
        {
            if (string.Equals(office.Code, key, StringComparison.Ordinal) || office.Aliases.Contains(key, StringComparer.Ordinal))
            {
                return office.Code;
            }
        }

        return null;
    }

    public static bool IsCode(string? code) => code is { Length: 2 } && (Countries.IsCode(code) || Offices.Any(o => string.Equals(o.Code, code, StringComparison.Ordinal)));

    /// <summary>A name to show beside the code; countries in English (the code is what both languages share).</summary>
    public static string Name(string code, bool chinese)
    {
        var office = Offices.FirstOrDefault(o => string.Equals(o.Code, code, StringComparison.Ordinal));
        if (office is not null)
        {
            return chinese ? office.NameZh : office.NameEn;
        }

        return Countries.EnglishName(code);
    }
}
