using System.Globalization;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;
using Tracemark.Matching;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Screening;

public sealed record ScreeningRequest(string? Text, IReadOnlyList<string>? Texts, string? Mode);

/// <summary>One hit as the API gives it: the engine's facts, the reason in the caller's language, and whose mark it is.</summary>
public sealed record HitView(
    string? MarkId,
    string Mark,
    string Kind,
    int Start,
    int Length,
    string Matched,
    string Normalised,
    int Distance,
    double Score,
    IReadOnlyList<string> Signs,
    string ReasonCode,
    string Reason,
    string? Language,
    OrganisationRef? Owner);

public sealed record TextResult(int Index, IReadOnlyList<HitView> Hits);

public sealed record ScreeningResponse(IReadOnlyList<TextResult> Results, int Marks, DateTimeOffset? LexiconChangedAt);

/// <summary>
/// Screens texts against the registry's marks for the caller. The lexicon holds every active mark, so
/// each hit is then checked against what the caller may see (row-level security on the rights table):
/// an organisation's private right is never revealed through a hit.
/// </summary>
public sealed class ScreeningService(MarkLexicon marks, Db db, IStringLocalizer<ScreeningText> text)
{
    public const int MaxTexts = 10_000;
    public const int MaxTextLength = 1_000_000;

    /// <summary>Validates a request and screens its texts: one text, or up to <see cref="MaxTexts"/>.</summary>
    public async Task<ScreeningResponse> ScreenAsync(ScreeningRequest request, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var mode = Mode(rules, request.Mode);
        IReadOnlyList<string> texts = [];
        if (request.Text is not null && request.Texts is not null)
        {
            rules.Add("texts", "screening.text_or_texts");
        }
        else if (request.Text is not null)
        {
            texts = [request.Text];
        }
        else if (request.Texts is null || request.Texts.Count == 0)
        {
            rules.Add("text", "required");
        }
        else if (request.Texts.Count > MaxTexts)
        {
            rules.Add("texts", "too_many", MaxTexts);
        }
        else
        {
            texts = request.Texts;
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                rules.Add(request.Text is null ? $"texts[{i.ToString(CultureInfo.InvariantCulture)}]" : "text", "required");
            }
            else if (texts[i].Length > MaxTextLength)
            {
                rules.Add(request.Text is null ? $"texts[{i.ToString(CultureInfo.InvariantCulture)}]" : "text", "too_long", MaxTextLength);
            }
        }

        rules.ThrowIfAny();
        var lexicon = await marks.GetAsync(cancellationToken);
        var raw = new List<IReadOnlyList<ScreeningHit>>(texts.Count);
        foreach (var item in texts)
        {
            raw.Add(lexicon.Screen(item, mode));
        }

        var visible = await VisibleMarksAsync(raw.SelectMany(h => h), cancellationToken);
        var results = raw.Select((hits, index) => new TextResult(index, Present(hits, visible))).ToList();
        var status = marks.Status;
        return new ScreeningResponse(results, status.Marks, status.ChangedAt);
    }

    /// <summary>Screens a batch for the streaming endpoint; lines keep their numbers and ids.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<HitView>>> ScreenBatchAsync(IReadOnlyList<string> texts, ScreeningMode mode, CancellationToken cancellationToken)
    {
        var lexicon = await marks.GetAsync(cancellationToken);
        var raw = texts.Select(t => lexicon.Screen(t, mode)).ToList();
        var visible = await VisibleMarksAsync(raw.SelectMany(h => h), cancellationToken);
        return raw.Select(hits => Present(hits, visible)).ToList();
    }

    public static ScreeningMode Mode(FieldRules rules, string? mode)
    {
        switch (mode)
        {
            case null or "" or "full":
                return ScreeningMode.Full;
            case "exact_only":
                return ScreeningMode.ExactOnly;
            default:
                rules.Add("mode", "invalid_value");
                return ScreeningMode.Full;
        }
    }

    /// <summary>
    /// Screens texts for the caller inside its own transaction (a feature attaching hits to its record), with
    /// each hit's owner; hits on marks the caller may not see are left out, as in <see cref="ScreenAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<(ScreeningHit Hit, OrganisationRef? Owner)>>> ScreenInAsync(DbTx tx, IReadOnlyList<string> texts, ScreeningMode mode, CancellationToken cancellationToken)
    {
        var lexicon = await marks.GetAsync(cancellationToken);
        var raw = texts.Select(t => lexicon.Screen(t, mode)).ToList();
        var visible = await VisibleMarksAsync(tx, raw.SelectMany(h => h), cancellationToken);
        return raw.Select(hits => (IReadOnlyList<(ScreeningHit, OrganisationRef?)>)hits
                .Where(h => h.MarkId is null || visible.ContainsKey(h.MarkId))
                .Select(h => (h, h.MarkId is null ? null : visible[h.MarkId]))
                .ToList())
            .ToList();
    }

    /// <summary>The reason of a hit in the reader's language, from the engine's code and arguments.</summary>
    public string LocaliseReason(ScreeningHit hit) =>
        LocaliseReason(hit.ReasonCode.ToWire(), hit.Kind == HitKind.RiskTerm, hit.Mark, hit.ReasonArguments, hit.Language, hit.Reason);

    /// <summary>The reason of a hit kept as facts (code, mark, arguments), worded when it is read, in the reader's language.</summary>
    public string LocaliseReason(string reasonCode, bool riskTerm, string mark, IReadOnlyList<string> arguments, string? language, string fallback)
    {
        var detail = arguments.Count > 2 ? string.Format(CultureInfo.CurrentCulture, text["reason.detail"], arguments[2]) : "";
        var template = text["reason." + reasonCode];
        return template.ResourceNotFound || arguments.Count == 0
            ? fallback
            : string.Format(CultureInfo.CurrentCulture, template.Value, riskTerm ? mark : arguments[0], mark, detail, language ?? "");
    }

    private List<HitView> Present(IReadOnlyList<ScreeningHit> hits, IReadOnlyDictionary<string, OrganisationRef> visible) =>
        hits.Where(h => h.MarkId is null || visible.ContainsKey(h.MarkId))
            .Select(h => new HitView(
                h.MarkId,
                h.Mark,
                h.Kind.ToWire(),
                h.Start,
                h.Length,
                h.Matched,
                h.Normalised,
                h.Distance,
                h.Score,
                Signs(h.Signs),
                h.ReasonCode.ToWire(),
                LocaliseReason(h),
                h.Language,
                h.MarkId is null ? null : visible[h.MarkId]))
            .ToList();

    /// <summary>Which of the marks hit the caller may see, with their owners; one query per request, under row-level security.</summary>
    private async Task<IReadOnlyDictionary<string, OrganisationRef>> VisibleMarksAsync(IEnumerable<ScreeningHit> hits, CancellationToken cancellationToken)
    {
        if (!hits.Any(h => h.MarkId is not null))
        {
            return new Dictionary<string, OrganisationRef>(StringComparer.Ordinal);
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        var visible = await VisibleMarksAsync(tx, hits, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return visible;
    }

    private static async Task<IReadOnlyDictionary<string, OrganisationRef>> VisibleMarksAsync(DbTx tx, IEnumerable<ScreeningHit> hits, CancellationToken cancellationToken)
    {
        var ids = hits.Where(h => h.MarkId is not null).Select(h => Guid.Parse(h.MarkId!)).Distinct().ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<string, OrganisationRef>(StringComparer.Ordinal);
        }

        var rows = await tx.QueryAsync<VisibleMark>(
            """
            SELECT r.id, o.id AS owner_id, o.name_en, o.name_zh, o.kind
            FROM rights r JOIN organisations o ON o.id = r.owner_org_id
            WHERE r.id = ANY (@ids)
            """,
            new { ids },
            cancellationToken);
        return rows.ToDictionary(r => r.Id.ToString(), r => new OrganisationRef(r.OwnerId, r.NameEn, r.NameZh, r.Kind), StringComparer.Ordinal);
    }

    /// <summary>The signs of a lookalike by their wire names ("homoglyph", "leet").</summary>
    internal static List<string> Signs(LookalikeSigns signs) =>
        Enum.GetValues<LookalikeSigns>()
            .Where(s => s != LookalikeSigns.None && System.Numerics.BitOperations.IsPow2((int)s) && (signs & s) != LookalikeSigns.None)
            .Select(s => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()))
            .ToList();

    private sealed record VisibleMark(Guid Id, Guid OwnerId, string NameEn, string NameZh, string Kind);
}

/// <summary>Marker for the screening strings (ScreeningText.resx, ScreeningText.zh-CN.resx): reasons and the page.</summary>
public sealed class ScreeningText;
