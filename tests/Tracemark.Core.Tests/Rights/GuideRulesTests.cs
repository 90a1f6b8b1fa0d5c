using Tracemark.Core.Errors;
using Tracemark.Core.Money;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Tests.Rights;

public sealed class GuideRulesTests
{
    [Theory]
    [InlineData("importer", PartyRole.Importer)]
    [InlineData("进口商", PartyRole.Importer)]
    [InlineData("Manufacturer", PartyRole.Manufacturer)]
    [InlineData("生产商", PartyRole.Manufacturer)]
    [InlineData("经销商", PartyRole.Distributor)]
    [InlineData("ｅｘｐｏｒｔｅｒ", PartyRole.Exporter)]
    public void Party_roles_parse_in_both_languages(string text, PartyRole expected)
    {
        Assert.True(GuideRules.TryParseRole(text, out var role));
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData("cny", "CNY")]
    [InlineData("ＥＵＲ", "EUR")]
    [InlineData(" usd ", "USD")]
    [InlineData("RMB", null)]
    [InlineData("元", null)]
    [InlineData("XAU", null)]
    public void Currencies_are_ISO_4217(string text, string? expected) => Assert.Equal(expected, Currencies.Normalise(text));

    [Theory]
    [InlineData(10, 20, "CNY", null)]
    [InlineData(20, 20, "CNY", null)]
    [InlineData(30, 20, "CNY", "priceBands[0].max")]
    [InlineData(-1, 20, "CNY", "priceBands[0].min")]
    [InlineData(10, 20, "RMB", "priceBands[0].currency")]
    public void Price_bands_need_a_currency_and_run_upwards(double min, double max, string currency, string? badField)
    {
        var rules = new FieldRules();
        var bands = GuideRules.PriceBands(rules, [new PriceBandInput("jacket", (decimal)min, (decimal)max, currency, "piece")]);
        Assert.Equal(badField, rules.Errors.SingleOrDefault()?.Field);
        Assert.Equal(badField is null ? 1 : 0, bands.Count);
    }

    [Fact]
    public void Routes_name_countries_and_known_modes()
    {
        var rules = new FieldRules();
        var routes = GuideRules.Routes(rules, [new GuideRouteInput("cn", "ＤＥ", ["CNNGB", "DEHAM"], ["海运", "rail", "teleport"])]);
        Assert.Equal("DE", routes[0].Destination);
        Assert.Equal([TransportMode.Sea, TransportMode.Rail], routes[0].Modes);
        Assert.Equal("routes[0].modes[2]", Assert.Single(rules.Errors).Field);
    }
}
