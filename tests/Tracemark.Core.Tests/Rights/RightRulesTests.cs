using Tracemark.Core.Errors;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Tests.Rights;

/// <summary>The registry's field rules as tables, with Chinese, full-width and mixed-script rows.</summary>
public sealed class RightRulesTests
{
    [Theory]
    [InlineData("trademark", RightType.Trademark)]
    [InlineData("Trademark", RightType.Trademark)]
    [InlineData("商标", RightType.Trademark)]
    [InlineData("ＴＲＡＤＥＭＡＲＫ", RightType.Trademark)]
    [InlineData("geographical indication", RightType.GeographicalIndication)]
    [InlineData("geographical-indication", RightType.GeographicalIndication)]
    [InlineData("地理标志", RightType.GeographicalIndication)]
    [InlineData("plant_variety", RightType.PlantVariety)]
    [InlineData("植物新品种", RightType.PlantVariety)]
    [InlineData("外观设计", RightType.Design)]
    [InlineData("著作权", RightType.Copyright)]
    [InlineData(" patent ", RightType.Patent)]
    public void Types_parse_in_English_Chinese_and_full_width(string text, RightType expected)
    {
        Assert.True(RightWords.TryParseType(text, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("brand")]
    [InlineData("商标权利")]
    [InlineData("")]
    public void Unknown_types_do_not_parse(string text) => Assert.False(RightWords.TryParseType(text, out _));

    [Theory]
    [InlineData("CN", "CN")]
    [InlineData("cn", "CN")]
    [InlineData("ＣＮ", "CN")]
    [InlineData(" de ", "DE")]
    [InlineData("EM", "EM")]
    [InlineData("euipo", "EM")]
    [InlineData("WIPO", "WO")]
    [InlineData("EPO", "EP")]
    [InlineData("ＥＵＩＰＯ", "EM")]
    [InlineData("XX", null)]
    [InlineData("China", null)]
    [InlineData("中国", null)]
    public void Jurisdictions_are_countries_or_offices(string text, string? expected) => Assert.Equal(expected, Jurisdictions.Normalise(text));

    [Theory]
    [InlineData("12345678", "12345678")]
    [InlineData("12-345-678", "12345678")]
    [InlineData("１２３４５６７８", "12345678")]
    [InlineData("第12345678号", "12345678")]
    [InlineData("zl 2019 1012 3456.7", "ZL2019101234567")]
    [InlineData("—", null)]
    public void Numbers_compare_by_letters_and_digits(string number, string? expected) =>
        Assert.Equal(expected, RightRules.NumberKey(number));

    [Theory]
    [InlineData("25;18", new[] { 25, 18 })]
    [InlineData("25, 18", new[] { 25, 18 })]
    [InlineData("２５；１８", new[] { 25, 18 })]
    [InlineData("第25类、第18类", new[] { 25, 18 })]
    [InlineData("9 | 42", new[] { 9, 42 })]
    [InlineData("", new int[0])]
    public void Class_lists_parse_as_spreadsheets_write_them(string text, int[] expected)
    {
        var rules = new FieldRules();
        Assert.Equal(expected, NiceClasses.ParseList(rules, "classes", text));
        Assert.False(rules.HasErrors);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(45, true)]
    [InlineData(46, false)]
    [InlineData(-3, false)]
    public void Nice_classes_are_1_to_45(int niceClass, bool valid)
    {
        var rules = new FieldRules();
        RightRules.Classes(rules, [niceClass]);
        Assert.Equal(!valid, rules.Errors.Any(e => e.Code == "right.class_out_of_range"));
    }

    [Theory]
    [InlineData("2019-04-01", "2019-04-01")]
    [InlineData("2019-4-1", "2019-04-01")]
    [InlineData("2019/4/1", "2019-04-01")]
    [InlineData("2019年4月1日", "2019-04-01")]
    [InlineData("２０１９－０４－０１", "2019-04-01")]
    [InlineData("01/04/2019", null)]
    [InlineData("2019-02-30", null)]
    [InlineData("April 1, 2019", null)]
    public void Dates_are_ISO_8601_or_year_first(string text, string? expected)
    {
        var rules = new FieldRules();
        var date = Dates.Parse(rules, "filed", text);
        Assert.Equal(expected, date is { } d ? Dates.Format(d) : null);
        Assert.Equal(expected is null, rules.HasErrors);
    }

    [Theory]
    [InlineData("2019-01-01", "2020-01-01", "2030-01-01", null)]
    [InlineData("2019-01-01", "2019-01-01", "2029-01-01", null)]
    [InlineData("2020-01-01", "2019-01-01", null, "registered")]
    [InlineData("2019-01-01", "2020-01-01", "2020-01-01", "expires")]
    [InlineData("2019-01-01", null, "2018-12-31", "expires")]
    [InlineData(null, null, "2030-01-01", null)]
    public void Dates_must_run_forwards(string? filed, string? registered, string? expires, string? badField)
    {
        var rules = new FieldRules();
        RightRules.Validate(rules, Input() with { Filed = filed, Registered = registered, Expires = expires });
        Assert.Equal(badField, rules.Errors.SingleOrDefault()?.Field);
    }

    [Theory]
    [InlineData("trademark", null, "word")]
    [InlineData("trademark", "图形", "figurative")]
    [InlineData("patent", null, "invention")]
    [InlineData("patent", "实用新型", "utility_model")]
    [InlineData("design", null, null)]
    public void Forms_default_by_type(string type, string? form, string? expected)
    {
        var rules = new FieldRules();
        var content = RightRules.Validate(rules, Input() with { Type = type, Form = form, Classes = type == "trademark" ? [25] : null });
        Assert.False(rules.HasErrors, string.Join("; ", rules.Errors));
        Assert.Equal(expected, content!.Form?.ToWire());
    }

    [Fact]
    public void A_valid_right_is_normalised_and_every_problem_is_reported_at_once()
    {
        var rules = new FieldRules();
        var content = RightRules.Validate(rules, Input() with { Jurisdiction = "ｃｎ", Number = "１２-３４", Status = "已注册", Classes = [25, 18, 25], OtherNames = ["北風", " ", "北風"] });
        Assert.False(rules.HasErrors);
        Assert.Equal("CN", content!.Jurisdiction);
        Assert.Equal("1234", content.NumberKey);
        Assert.Equal(RightStatus.Registered, content.Status);
        Assert.Equal([18, 25], content.Classes);
        Assert.Equal(["北風"], content.OtherNames);

        var bad = new FieldRules();
        Assert.Null(RightRules.Validate(bad, Input() with { Type = "gi", Jurisdiction = "ZZ", Name = "", Classes = [3], Species = "Camellia" }));
        Assert.Equal(["jurisdiction", "name", "classes", "species"], bad.Errors.Select(e => e.Field));
    }

    private static RightInput Input() => new("trademark", null, "CN", "12345678", null, "Northwind", "北风", null, null, null, null, null, null, null, null, null, null, null);
}
