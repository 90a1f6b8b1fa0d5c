using Tracemark.Core.Organisations;

namespace Tracemark.Core.Tests;

public sealed class OrganisationKindsTests
{
    [Theory]
    [InlineData("customs", OrganisationKind.Customs, true)]
    [InlineData("market_regulator", OrganisationKind.MarketRegulator, true)]
    [InlineData("police", OrganisationKind.Police, true)]
    [InlineData("prosecutor", OrganisationKind.Prosecutor, true)]
    [InlineData("court", OrganisationKind.Court, true)]
    [InlineData("ip_office", OrganisationKind.IpOffice, true)]
    [InlineData("mediation_body", OrganisationKind.MediationBody, false)]
    [InlineData("platform", OrganisationKind.Platform, false)]
    [InlineData("rights_holder", OrganisationKind.RightsHolder, false)]
    [InlineData("agent", OrganisationKind.Agent, false)]
    [InlineData("coordinating_office", OrganisationKind.CoordinatingOffice, true)]
    [InlineData("foreign_partner", OrganisationKind.ForeignPartner, true)]
    public void Each_kind_has_one_wire_name_and_an_enforcement_flag(string wire, OrganisationKind kind, bool enforcement)
    {
        Assert.True(OrganisationKinds.TryParse(wire, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.Equal(wire, kind.ToWire());
        Assert.Equal(enforcement, kind.IsEnforcement());
    }

    [Theory]
    [InlineData("Customs")]
    [InlineData("CUSTOMS")]
    [InlineData("ｃｕｓｔｏｍｓ")]
    [InlineData("海关")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_kind(string? wire) => Assert.False(OrganisationKinds.TryParse(wire, out _));

    [Fact]
    public void Every_enum_member_has_a_wire_name() =>
        Assert.Equal(Enum.GetValues<OrganisationKind>().Length, OrganisationKinds.All.Distinct().Count());
}
