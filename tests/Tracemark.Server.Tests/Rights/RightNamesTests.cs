using Tracemark.Server.Rights;

namespace Tracemark.Server.Tests.Rights;

/// <summary>
/// The registry's search folding (an adapter over the screening engine's normaliser): what a stored name
/// and a query become, so that the trigram index compares like with like.
/// </summary>
public sealed class RightNamesTests
{
    [Theory]
    [InlineData("Northwind", "northwind")]
    [InlineData("NORTHWIND", "northwind")]
    [InlineData("Ｎｏｒｔｈｗｉｎｄ", "northwind")]
    [InlineData("Nörthwînd", "northwind")]
    [InlineData("Northwind Apparel", "northwind aparel")]
    [InlineData("North-wind", "north wind")]
    [InlineData("北风", "北风")]
    [InlineData("北風", "北风")]
    [InlineData("鷹溪", "鹰溪")]
    [InlineData("鹰溪制药", "鹰溪 溪制 制药")]
    [InlineData("鷹溪製藥", "鹰溪 溪制 制药")]
    [InlineData("鹰", "鹰")]
    [InlineData("北风Northwind", "北风 northwind")]
    [InlineData("北风 / Northwind", "北风 northwind")]
    [InlineData("Ｖｅｒｄａｎｔ 绿原", "verdant 绿原")]
    public void Names_fold_case_width_accents_and_Chinese_script(string name, string folded) => Assert.Equal(folded, RightNames.Fold(name));

    [Fact]
    public void The_two_scripts_of_a_Chinese_name_fold_alike_and_other_names_join_in()
    {
        Assert.Equal(RightNames.Fold("康脈舒"), RightNames.Fold("康脉舒"));
        Assert.Equal("northwind 北风", RightNames.FoldAll(["NORTHWIND", "北風"]));
        Assert.Null(RightNames.FoldAll([]));
    }
}
