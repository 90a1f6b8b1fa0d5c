using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;
using Tracemark.Core.Money;

namespace Tracemark.Core.Complaints;

/// <summary>A listing as a complainant describes it: where it is, who sells it, and what it showed when seen.</summary>
public sealed record ListingInput(
    string? ListingId,
    string? Url,
    string? SellerId,
    string? SellerName,
    string? Title,
    decimal? Price,
    string? Currency,
    string? SnapshotText,
    IReadOnlyList<string>? ImageSha256s);

/// <summary>A file the complainant uploaded before (by its SHA-256), with what it shows.</summary>
public sealed record EvidenceInput(string? Sha256, string? Description);

/// <summary>A listing after validation: trimmed text, the listing id as compared (<see cref="ListingKey"/>), the URL's host.</summary>
public sealed record ListingContent(
    string ListingId,
    string ListingKey,
    string Url,
    string Host,
    string SellerId,
    string? SellerName,
    string Title,
    decimal? Price,
    string? Currency,
    string? SnapshotText,
    IReadOnlyList<string> ImageSha256s);

public sealed record EvidenceContent(string Sha256, string? Description);

public sealed record NoticeContent(
    InfringementKind Kind,
    IReadOnlyList<Guid> RightIds,
    IReadOnlyList<ListingContent> Listings,
    string? Description,
    IReadOnlyList<EvidenceContent> Evidence,
    string Signature);

/// <summary>The shape of a notice and of the parties' statements; facts that need the database (rights, platform) are checked by the server.</summary>
public static class NoticeRules
{
    public const int ListingsMax = 100;
    public const int RightsMax = 50;
    public const int ImagesMax = 20;
    public const int EvidenceMax = 50;
    public const int ListingIdMax = 200;
    public const int UrlMax = 2000;
    public const int SellerMax = 200;
    public const int TitleMax = 500;
    public const int SnapshotMax = 200_000;
    public const int DescriptionMax = 10_000;
    public const int SignatureMax = 200;
    public const int ReasonsMax = 5_000;
    public const int StatementMax = 10_000;
    public const decimal PriceMax = 1_000_000_000_000m;

    public static NoticeContent Validate(
        FieldRules rules,
        string? kind,
        IReadOnlyList<Guid>? rightIds,
        IReadOnlyList<ListingInput?>? listings,
        string? description,
        IReadOnlyList<EvidenceInput?>? evidence,
        bool? goodFaith,
        string? signature)
    {
        var infringement = InfringementKind.Counterfeit;
        if (kind is null)
        {
            rules.Add("kind", "required");
        }
        else if (!ComplaintWire.TryParse(kind, out infringement))
        {
            rules.Add("kind", "complaint.kind_unknown", kind, string.Join(", ", ComplaintWire.All<InfringementKind>()));
        }

        var rights = RightIds(rules, rightIds);
        var content = Listings(rules, listings);
        var text = rules.Optional("description", description, DescriptionMax);
        var files = Evidence(rules, evidence);

        // The complainant affirms, in its own name, that it believes in good faith that the listings infringe.
        if (goodFaith != true)
        {
            rules.Add("goodFaith", "complaint.good_faith_required");
        }

        var name = rules.Required("signature", signature, SignatureMax);
        return new NoticeContent(infringement, rights, content, text, files, name);
    }

    /// <summary>Whether a URL's host is one of the platform's domains or below one (shop.example under example); a platform without domains takes any.</summary>
    public static bool OnPlatform(string host, IReadOnlyCollection<string> domains) =>
        domains.Count == 0 || domains.Any(d => string.Equals(host, d, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));

    /// <summary>A platform's domain as stored: lower case, IDN in its ASCII form, no scheme, path or trailing dot.</summary>
    public static string? Domain(string? text)
    {
        var trimmed = text?.Trim().TrimEnd('.');
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 253 || trimmed.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        return Uri.TryCreate("https://" + trimmed + "/", UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query)
            && uri.HostNameType == UriHostNameType.Dns && uri.IdnHost.Contains('.', StringComparison.Ordinal)
            ? uri.IdnHost.ToLowerInvariant()
            : null;
    }

    /// <summary>Reasons a party gives for a decision: required, at most <see cref="ReasonsMax"/> characters.</summary>
    public static string Reasons(FieldRules rules, string field, string? reasons) => rules.Required(field, reasons, ReasonsMax);

    /// <summary>A SHA-256 in lower-case hex, as the blob store names files; null when it is not one.</summary>
    public static string? Sha256(string? text)
    {
        var lower = text?.Trim().ToLowerInvariant();
        return lower is { Length: 64 } && lower.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') ? lower : null;
    }

    /// <summary>A listing id as compared: compatibility forms folded (a full-width "ＳＷ-１" is "SW-1"), spaces trimmed; case kept, since platforms' ids are case-sensitive.</summary>
    public static string ListingKey(string listingId) => listingId.Normalize(NormalizationForm.FormKC).Trim();

    private static List<Guid> RightIds(FieldRules rules, IReadOnlyList<Guid>? rightIds)
    {
        if (rightIds is null || rightIds.Count == 0)
        {
            rules.Add("rightIds", "complaint.rights_required");
            return [];
        }

        if (rightIds.Count > RightsMax)
        {
            rules.Add("rightIds", "too_many", RightsMax);
            return [];
        }

        return rightIds.Distinct().ToList();
    }

    private static List<ListingContent> Listings(FieldRules rules, IReadOnlyList<ListingInput?>? listings)
    {
        if (listings is null || listings.Count == 0)
        {
            rules.Add("listings", "complaint.listings_required");
            return [];
        }

        if (listings.Count > ListingsMax)
        {
            rules.Add("listings", "too_many", ListingsMax);
            return [];
        }

        var result = new List<ListingContent>(listings.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < listings.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"listings[{i}].");
            if (listings[i] is not { } listing)
            {
                rules.Add(prefix.TrimEnd('.'), "required");
                continue;
            }

            var id = rules.Required(prefix + "listingId", listing.ListingId, ListingIdMax);
            var key = ListingKey(id);
            if (key.Length > 0 && !seen.Add(key))
            {
                rules.Add(prefix + "listingId", "complaint.listing_repeated", key);
            }

            var url = rules.Required(prefix + "url", listing.Url, UrlMax);
            var host = "";
            if (url.Length > 0 && url.Length <= UrlMax)
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.IdnHost.Length > 0)
                {
                    host = uri.IdnHost.ToLowerInvariant();
                }
                else
                {
                    rules.Add(prefix + "url", "complaint.url_invalid");
                }
            }

            var seller = rules.Required(prefix + "sellerId", listing.SellerId, SellerMax);
            var sellerName = rules.Optional(prefix + "sellerName", listing.SellerName, SellerMax);
            var title = rules.Required(prefix + "title", listing.Title, TitleMax);
            var currency = listing.Currency is null ? null : Currencies.Normalise(listing.Currency);
            if (listing.Currency is not null && currency is null)
            {
                rules.Add(prefix + "currency", "currency.unknown", listing.Currency);
            }

            if (listing.Price is { } price)
            {
                if (price is < 0 or > PriceMax)
                {
                    rules.Add(prefix + "price", "out_of_range", 0, PriceMax);
                }
                else if (listing.Currency is null)
                {
                    rules.Add(prefix + "currency", "complaint.currency_required");
                }
            }

            var snapshot = listing.SnapshotText;
            if (snapshot is { Length: > SnapshotMax })
            {
                rules.Add(prefix + "snapshotText", "too_long", SnapshotMax);
            }

            var images = new List<string>();
            if (listing.ImageSha256s is { } hashes)
            {
                if (hashes.Count > ImagesMax)
                {
                    rules.Add(prefix + "imageSha256s", "too_many", ImagesMax);
                }
                else
                {
                    for (var j = 0; j < hashes.Count; j++)
                    {
                        if (Sha256(hashes[j]) is { } hash)
                        {
                            images.Add(hash);
                        }
                        else
                        {
                            rules.Add(string.Create(CultureInfo.InvariantCulture, $"{prefix}imageSha256s[{j}]"), "complaint.sha256_invalid");
                        }
                    }
                }
            }

            result.Add(new ListingContent(id, key, url, host, seller, sellerName, title, listing.Price, currency, string.IsNullOrWhiteSpace(snapshot) ? null : snapshot, images.Distinct(StringComparer.Ordinal).ToList()));
        }

        return result;
    }

    /// <summary>Files cited by their SHA-256, each with what it shows (repeats dropped).</summary>
    public static List<EvidenceContent> Evidence(FieldRules rules, IReadOnlyList<EvidenceInput?>? evidence)
    {
        var result = new List<EvidenceContent>();
        if (evidence is null)
        {
            return result;
        }

        if (evidence.Count > EvidenceMax)
        {
            rules.Add("evidence", "too_many", EvidenceMax);
            return result;
        }

        for (var i = 0; i < evidence.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"evidence[{i}].");
            if (evidence[i] is not { } item)
            {
                rules.Add(prefix.TrimEnd('.'), "required");
                continue;
            }

            var hash = Sha256(item.Sha256);
            if (hash is null)
            {
                rules.Add(prefix + "sha256", item.Sha256 is null ? "required" : "complaint.sha256_invalid");
            }

            var text = rules.Optional(prefix + "description", item.Description, SellerMax * 5);
            if (hash is not null && result.All(e => e.Sha256 != hash))
            {
                result.Add(new EvidenceContent(hash, text));
            }
        }

        return result;
    }
}
