using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Core.Money;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Tests.Customs;

/// <summary>The risk rules of declaration lines, and the tables they stand on (HS codes, Nice classes, units, party names).</summary>
public sealed class RiskScoringTests
{
    private static readonly Guid CustomsOrg = Guid.Parse("019a0000-0000-7000-8000-000000000001");
    private static readonly Guid Holder = Guid.Parse("019a0000-0000-7000-8000-000000000002");
    private static readonly Guid Right = Guid.Parse("019a0000-0000-7000-8000-000000000003");
    private static readonly ExchangeRates Rates = new(new Dictionary<string, decimal>(StringComparer.Ordinal) { ["CNY"] = 7.2m, ["EUR"] = 0.9m });
    private static readonly ScoringContext Hamburg = new(CustomsOrg, "DE", Rates);

    // Clothing and bags (classes 18, 25), made in Italy, shipped by sea through Hamburg, sold from 120 EUR a piece; Lumina Import GmbH is its importer.
    private static readonly RightFacts Lumina = new(Right, Holder, "LUMINA", "EU", [18, 25],
        [new RecordationFacts("EU", "AFA-2026-001", new DateOnly(2026, 1, 1), new DateOnly(2027, 1, 1), [])],
        [new GuideFacts(
            [new GuideParty(PartyRole.Importer, "Lumina Import GmbH", null, "DE"), new GuideParty(PartyRole.Exporter, "卢米纳服饰有限公司", null, "CN")],
            [new GuideRoute("IT", "DE", [], [TransportMode.Sea, TransportMode.Road])],
            [new PriceBand("jacket", 120, 400, "EUR", "piece")])]);

    [Theory]
    // Brand hit, recorded, HS 61 fits class 25, unusual route (CN by air), price far below: 45 + 15 + 10 + 20.
    [InlineData("Cheap Trade Ltd", "CN", "air", "6201400000", "100", "1000", "CNY", 90, "mark_in_brand,price_far_below,recorded,route_unusual")]
    // The same from the genuine route at a plausible price: only the hit and the recordation.
    [InlineData("Cheap Trade Ltd", "IT", "sea", "6201400000", "10", "1000", "EUR", 60, "mark_in_brand,recorded")]
    // HS chapter 85 (electronics) does not fit classes 18/25.
    [InlineData("Cheap Trade Ltd", "IT", "sea", "8517130000", "10", "1000", "EUR", 75, "hs_inconsistent,mark_in_brand,recorded")]
    // 10 pieces for 600 CNY = 8.33 EUR a piece, far below half of 120 EUR.
    [InlineData("Cheap Trade Ltd", "IT", "sea", "620140", "10", "600", "CNY", 80, "mark_in_brand,price_far_below,recorded")]
    // 59 EUR a piece is below 120 but not half of it: plausible.
    [InlineData("Cheap Trade Ltd", "IT", "sea", "620140", "10", "610", "EUR", 60, "mark_in_brand,recorded")]
    // The authorised importer, written differently (legal form, case, full width): not a hit at all.
    [InlineData("LUMINA IMPORT gmbh", "CN", "air", "6201400000", "100", "1000", "CNY", 0, "authorised_party")]
    [InlineData("Ｌｕｍｉｎａ Ｉｍｐｏｒｔ", "CN", "air", "6201400000", "100", "1000", "CNY", 0, "authorised_party")]
    public void A_line_scores_its_strongest_right_with_its_reasons(
        string importer, string origin, string mode, string hs, string quantity, string value, string currency, int score, string reasons)
    {
        var line = Line(importer: importer, origin: origin, mode: mode, hs: hs, quantity: quantity, value: value, currency: currency);
        var assessment = RiskScoring.Assess(line, [new LineHit(HitField.Brand, Right, "LUMINA", "Lumina", true, 1)], Find, Hamburg);
        Assert.Equal(score, assessment.Score);
        Assert.Equal(reasons, string.Join(",", assessment.Reasons.Select(r => r.Code).Order(StringComparer.Ordinal)));
        Assert.Equal(score > 0 ? [Holder] : [], assessment.HolderIds);
    }

    [Fact]
    public void The_authorised_exporter_in_chinese_takes_the_right_out_but_a_risk_term_still_counts()
    {
        var line = Line(importer: "Someone Else BV", exporter: "卢米纳服饰（深圳）有限公司", origin: "IT", mode: "sea");
        var exact = Line(importer: "Someone Else BV", exporter: "卢米纳服饰有限公司", origin: "IT", mode: "sea");
        LineHit[] hits = [new(HitField.Description, Right, "LUMINA", "lumina", true, 1), new(HitField.Description, null, "高仿", "高仿", true, 1)];
        Assert.Equal(20, RiskScoring.Assess(exact, hits, Find, Hamburg).Score);
        Assert.Equal(35 + 15 + 20, RiskScoring.Assess(line, hits, Find, Hamburg).Score);
    }

    [Fact]
    public void A_lookalike_counts_by_its_confidence_an_unseen_right_not_at_all_and_the_score_is_capped()
    {
        var line = Line(origin: "CN", mode: "air", hs: "8517130000", quantity: "100", value: "100", currency: "CNY");
        var lookalike = RiskScoring.Assess(line, [new LineHit(HitField.Brand, Right, "LUMINA", "LUM1NA", false, 0.8)], Find, Hamburg);
        Assert.Equal(36 + 15 + 15 + 10 + 20, lookalike.Score);
        Assert.Equal(0, RiskScoring.Assess(line, [new LineHit(HitField.Brand, Guid.NewGuid(), "X", "X", true, 1)], Find, Hamburg).Score);
        var capped = RiskScoring.Assess(line, [new LineHit(HitField.Brand, Right, "LUMINA", "LUMINA", true, 1), new LineHit(HitField.Brand, null, "replica", "replica", true, 1)], Find, Hamburg);
        Assert.Equal(RiskScoring.MaxScore, capped.Score);
    }

    [Fact]
    public void A_recordation_counts_only_where_and_when_it_is_valid()
    {
        var expired = Line(date: "2027-02-01", origin: "IT", mode: "sea");
        Assert.DoesNotContain(RiskScoring.Assess(expired, [new LineHit(HitField.Brand, Right, "LUMINA", "Lumina", true, 1)], Find, Hamburg).Reasons,
            r => r.Code == RiskReasons.Recorded);
        var shanghai = new ScoringContext(CustomsOrg, "CN", Rates);
        Assert.Null(RiskScoring.Recordation(Line(), Lumina, shanghai));
        Assert.NotNull(RiskScoring.Recordation(Line(), Lumina, new ScoringContext(CustomsOrg, "FR", Rates)));
    }

    [Theory]
    [InlineData(new[] { 25 }, 61, true)]
    [InlineData(new[] { 25 }, 64, true)]
    [InlineData(new[] { 25 }, 85, false)]
    [InlineData(new[] { 9, 25 }, 85, true)]
    [InlineData(new[] { 5 }, 30, true)]
    [InlineData(new[] { 14 }, 91, true)]
    [InlineData(new[] { 35, 41 }, 85, null)]
    [InlineData(new int[0], 85, null)]
    public void Hs_chapters_fit_the_goods_of_nice_classes(int[] classes, int chapter, bool? fits) =>
        Assert.Equal(fits, NiceHsChapters.Fits(classes, chapter));

    [Theory]
    [InlineData("6201.40", "620140", null)]
    [InlineData("6201 40 90", "62014090", null)]
    [InlineData("６２０１４０", "620140", null)]
    [InlineData("620140.0000", "6201400000", null)]
    [InlineData("6201", null, "customs.hs_malformed")]
    [InlineData("62O140", null, "customs.hs_malformed")]
    [InlineData("服装620140", null, "customs.hs_malformed")]
    [InlineData("770100", null, "customs.hs_unknown_chapter")]
    [InlineData("990100", null, "customs.hs_unknown_chapter")]
    [InlineData("621800", null, "customs.hs_unknown_heading")]
    [InlineData("", null, "required")]
    public void Hs_codes_are_read_as_declarations_write_them(string text, string? digits, string? error)
    {
        var rules = new FieldRules();
        var code = HsCodes.Parse(rules, "hsCode", text);
        Assert.Equal(digits, code?.Digits);
        Assert.Equal(error, rules.Errors.SingleOrDefault()?.Code);
    }

    [Theory]
    [InlineData("pcs", "piece")]
    [InlineData("PCS.", "piece")]
    [InlineData("ＰＣＳ", "piece")]
    [InlineData("件", "piece")]
    [InlineData("双", "pair")]
    [InlineData("千克", "kg")]
    [InlineData("KGM", "kg")]
    [InlineData("bale", "bale")]
    public void Units_fold_to_one_name_in_both_languages(string unit, string folded) => Assert.Equal(folded, TradeUnits.Fold(unit));

    [Theory]
    [InlineData("Lumina Import GmbH", "LUMINA IMPORT G.m.b.H.", true)]
    [InlineData("Lumina Import GmbH", "Ｌｕｍｉｎａ Ｉｍｐｏｒｔ", true)]
    [InlineData("卢米纳服饰有限公司", "卢米纳服饰", true)]
    [InlineData("卢米纳服饰有限公司", "卢米纳服饰股份有限公司", true)]
    [InlineData("卢米纳服饰有限公司", "卢米纳贸易有限公司", false)]
    [InlineData("Lumina Import GmbH", "Lumina Export GmbH", false)]
    [InlineData("Lumina Import GmbH", null, false)]
    public void Party_names_are_the_same_company_despite_legal_forms_case_and_width(string a, string? b, bool same) =>
        Assert.Equal(same, PartyNames.Same(a, b));

    [Theory]
    [InlineData("quantity", "-5", "customs.quantity_negative")]
    [InlineData("quantity", "0", "customs.quantity_zero")]
    [InlineData("currency", "XYZ", "currency.unknown")]
    [InlineData("currency", "RMB", "currency.unknown")]
    [InlineData("hsCode", "000000", "customs.hs_unknown_chapter")]
    [InlineData("mode", "teleport", "customs.mode_unknown")]
    [InlineData("value", "-1", "customs.value_negative")]
    public void A_bad_line_names_its_field_and_problem(string field, string bad, string code)
    {
        var rules = new FieldRules();
        var input = Input() switch
        {
            var i when field == "quantity" => i with { Quantity = bad },
            var i when field == "currency" => i with { Currency = bad },
            var i when field == "hsCode" => i with { HsCode = bad },
            var i when field == "mode" => i with { Mode = bad },
            var i => i with { Value = bad },
        };
        Assert.Null(DeclarationLines.Validate(rules, input));
        var error = Assert.Single(rules.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void A_chinese_line_with_full_width_figures_is_read()
    {
        var rules = new FieldRules();
        var line = DeclarationLines.Validate(rules, Input() with { Mode = "海运", Quantity = "１２", Unit = "件", Currency = "cny", HsCode = "６２０１．４０" });
        Assert.False(rules.HasErrors, string.Join("; ", rules.Errors.Select(e => e.Field + ":" + e.Code)));
        Assert.NotNull(line);
        Assert.Equal(TransportMode.Sea, line.Mode);
        Assert.Equal(12, line.Quantity);
        Assert.Equal("CNY", line.Currency);
        Assert.Equal("620140", line.HsCode.Digits);
    }

    private static RightFacts? Find(Guid id) => id == Right ? Lumina : null;

    private static DeclarationLineInput Input() => new(
        "DE-2026-0001", "1", "2026-05-04", "sea", "Cheap Trade Ltd", "Shenzhen Export Co", null, null, "CN", "DE", "DEHAM", "6201400000",
        "Men's jackets", "LUMINA", "10", "pcs", "1000", "EUR", "12", null, null);

    private static DeclarationLine Line(
        string importer = "Cheap Trade Ltd", string? exporter = "Shenzhen Export Co", string origin = "CN", string mode = "sea", string hs = "6201400000",
        string quantity = "10", string value = "1000", string currency = "EUR", string date = "2026-05-04")
    {
        var rules = new FieldRules();
        var input = Input() with { Importer = importer, Exporter = exporter, Origin = origin, Mode = mode, HsCode = hs };
        var line = DeclarationLines.Validate(rules, input with { Quantity = quantity, Value = value, Currency = currency, Date = date });
        Assert.False(rules.HasErrors, string.Join("; ", rules.Errors.Select(e => e.Field + ":" + e.Code)));
        return line!;
    }
}
