using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Core.Rights;

namespace Tracemark.Core.Tests.Complaints;

/// <summary>The shape of a notice: each bad input is reported against its field, all at once.</summary>
public sealed class NoticeRulesTests
{
    private const string Hash = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";

    [Theory]
    [InlineData("kind", null, "kind", "required")]
    [InlineData("kind", "knockoff", "kind", "complaint.kind_unknown")]
    [InlineData("listingId", " ", "listings[0].listingId", "required")]
    [InlineData("url", "shopwell.example/item/1", "listings[0].url", "complaint.url_invalid")]
    [InlineData("url", "ftp://shopwell.example/item/1", "listings[0].url", "complaint.url_invalid")]
    [InlineData("url", "javascript:alert(1)", "listings[0].url", "complaint.url_invalid")]
    [InlineData("sellerId", "", "listings[0].sellerId", "required")]
    [InlineData("title", "", "listings[0].title", "required")]
    [InlineData("currency", "RMB", "listings[0].currency", "currency.unknown")]
    [InlineData("price", "-1", "listings[0].price", "out_of_range")]
    [InlineData("priceWithoutCurrency", "12.50", "listings[0].currency", "complaint.currency_required")]
    [InlineData("image", "not-a-hash", "listings[0].imageSha256s[0]", "complaint.sha256_invalid")]
    [InlineData("evidence", "ABC", "evidence[0].sha256", "complaint.sha256_invalid")]
    [InlineData("goodFaith", "false", "goodFaith", "complaint.good_faith_required")]
    [InlineData("signature", "  ", "signature", "required")]
    public void Each_bad_field_is_named(string what, string? value, string field, string code)
    {
        var listing = new ListingInput("SW-1001", "https://shopwell.example/item/1001", "shop-88", null, "北风 羽绒服", null, null, null, null);
        string? kind = "counterfeit";
        bool? goodFaith = true;
        var signature = "Li Wei";
        IReadOnlyList<EvidenceInput?>? evidence = null;
        switch (what)
        {
            case "kind":
                kind = value;
                break;
            case "listingId":
                listing = listing with { ListingId = value };
                break;
            case "url":
                listing = listing with { Url = value };
                break;
            case "sellerId":
                listing = listing with { SellerId = value };
                break;
            case "title":
                listing = listing with { Title = value };
                break;
            case "currency":
                listing = listing with { Currency = value, Price = 1 };
                break;
            case "price":
                listing = listing with { Price = decimal.Parse(value!, System.Globalization.CultureInfo.InvariantCulture), Currency = "CNY" };
                break;
            case "priceWithoutCurrency":
                listing = listing with { Price = decimal.Parse(value!, System.Globalization.CultureInfo.InvariantCulture) };
                break;
            case "image":
                listing = listing with { ImageSha256s = [value!] };
                break;
            case "evidence":
                evidence = [new EvidenceInput(value, null)];
                break;
            case "goodFaith":
                goodFaith = false;
                break;
            default:
                signature = value!;
                break;
        }

        var rules = new FieldRules();
        NoticeRules.Validate(rules, kind, [Guid.NewGuid()], [listing], null, evidence, goodFaith, signature);
        var error = Assert.Single(rules.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var rules = new FieldRules();
        NoticeRules.Validate(rules, null, [], [], null, null, null, null);
        Assert.Equal(["kind", "rightIds", "listings", "goodFaith", "signature"], rules.Errors.Select(e => e.Field));
    }

    [Fact]
    public void A_listing_named_twice_in_different_widths_is_one_listing()
    {
        var rules = new FieldRules();
        var content = NoticeRules.Validate(
            rules,
            "counterfeit",
            [Guid.NewGuid()],
            [
                new ListingInput("ＳＷ－１００１", "https://shopwell.example/a", "s", null, "t", null, null, null, null),
                new ListingInput("SW-1001 ", "https://shopwell.example/b", "s", null, "t", null, null, null, null),
            ],
            null,
            null,
            true,
            "Li Wei");
        Assert.Equal("listings[1].listingId", Assert.Single(rules.Errors).Field);
        Assert.Equal("SW-1001", content.Listings[0].ListingKey);
    }

    [Fact]
    public void Valid_input_comes_back_trimmed_with_hashes_in_lower_case()
    {
        var rules = new FieldRules();
        var content = NoticeRules.Validate(
            rules,
            "trademark_misuse",
            [Guid.Empty, Guid.Empty],
            [new ListingInput(" SW-7 ", "https://m.Shopwell.example/item/7?x=1", " shop-9 ", " 九号店 ", " Jacket ", 199.5m, "cny", "snapshot", [Hash.ToUpperInvariant(), Hash])],
            "  ",
            [new EvidenceInput(Hash, " test purchase ")],
            true,
            " Li Wei ");
        Assert.Empty(rules.Errors);
        var listing = Assert.Single(content.Listings);
        Assert.Equal(("SW-7", "m.shopwell.example", "shop-9", "九号店", "Jacket", "CNY"), (listing.ListingId, listing.Host, listing.SellerId, listing.SellerName, listing.Title, listing.Currency));
        Assert.Equal([Hash], listing.ImageSha256s);
        Assert.Equal([Guid.Empty], content.RightIds);
        Assert.Null(content.Description);
        Assert.Equal("test purchase", Assert.Single(content.Evidence).Description);
        Assert.Equal(InfringementKind.TrademarkMisuse, content.Kind);
        Assert.Equal("Li Wei", content.Signature);
    }

    [Theory]
    [InlineData("shopwell.example", "shopwell.example", true)]
    [InlineData("m.shopwell.example", "shopwell.example", true)]
    [InlineData("SHOPWELL.EXAMPLE", "shopwell.example", true)]
    [InlineData("evilshopwell.example", "shopwell.example", false)]
    [InlineData("shopwell.example.evil.test", "shopwell.example", false)]
    [InlineData("xn--fsqu00a.xn--fiqs8s", "xn--fsqu00a.xn--fiqs8s", true)]
    public void A_listing_is_on_a_platform_when_its_host_is_one_of_its_domains_or_below_one(string host, string domain, bool on) =>
        Assert.Equal(on, NoticeRules.OnPlatform(host, [domain]));

    [Theory]
    [InlineData(" Shopwell.Example ", "shopwell.example")]
    [InlineData("shopwell.example.", "shopwell.example")]
    [InlineData("例子.中国", "xn--fsqu00a.xn--fiqs8s")]
    [InlineData("https://shopwell.example", null)]
    [InlineData("shopwell.example/items", null)]
    [InlineData("localhost", null)]
    [InlineData("", null)]
    [InlineData("127.0.0.1", null)]
    public void Domains_are_stored_in_one_form(string text, string? stored) => Assert.Equal(stored, NoticeRules.Domain(text));

    [Fact]
    public void Rights_must_fit_the_kind_of_infringement()
    {
        Assert.Contains(RightType.Trademark, ComplaintWire.RightTypesFor(InfringementKind.Counterfeit));
        Assert.DoesNotContain(RightType.Patent, ComplaintWire.RightTypesFor(InfringementKind.Counterfeit));
        Assert.Equal([RightType.Design], ComplaintWire.RightTypesFor(InfringementKind.Design));
        Assert.All(Enum.GetValues<InfringementKind>(), k => Assert.NotEmpty(ComplaintWire.RightTypesFor(k)));
    }
}
