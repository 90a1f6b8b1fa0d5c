using System.Globalization;
using System.Text;
using Dapper;
using Tracemark.Core.Errors;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Export;
using Tracemark.Server.Rights.Import;

namespace Tracemark.Server.Rights;

/// <summary>Search parameters as the query string gives them; parsed here so that a bad value is reported with its name.</summary>
public sealed record RightFilter(
    string? Q = null,
    string? Number = null,
    string? Owner = null,
    string? Type = null,
    string? Status = null,
    string? Jurisdiction = null,
    string? Class = null,
    string? ValidOn = null,
    string? Facets = null,
    string? Cursor = null,
    string? Limit = null);

public sealed record FacetCount(string Value, long Count);

public sealed record OwnerFacet(Guid Id, string NameEn, string NameZh, long Count);

/// <summary>How many of all the matching rights (not only this page) have each value.</summary>
public sealed record RightFacets(
    IReadOnlyList<FacetCount> Types,
    IReadOnlyList<FacetCount> Statuses,
    IReadOnlyList<FacetCount> Jurisdictions,
    IReadOnlyList<FacetCount> Classes,
    IReadOnlyList<OwnerFacet> Owners);

public sealed record RightSearchPage(IReadOnlyList<RightView> Items, string? NextCursor, RightFacets? Facets);

/// <summary>
/// Finding rights: by name in any script (folded as <see cref="RightNames"/> folds them, ranked by pg_trgm
/// word similarity, so a misspelt name still finds the mark), by number, owner, class, jurisdiction,
/// status and validity on a date, with facet counts. Row-level security limits every query to what the
/// caller may see, facets included.
/// </summary>
public sealed class RightSearch(Db db)
{
    /// <summary>
    /// How names are matched, in passes that stop at the first one that finds something: every word of the
    /// query close to a word of the names (similarity 0.6: one typo), then every word loosely (0.45: two
    /// typos in a short word), then, for a query of several words, every word roughly (0.3: a transposition
    /// in a short word, "Lexlpys Beauty" for "Lexplys Beauty"), then the query as a whole, loosely (a query
    /// with a word the names lack, such as "Northwind Apparel" for the mark "Northwind"). Requiring every
    /// word keeps a common word ("Pharma", "Home", "制药") from making the index return thousands of
    /// candidates to rank: the rough pass is affordable only because the other words narrow it, so a
    /// one-word query skips it, and skips the whole-query pass too, which for one word repeats the loose
    /// one. The cursor remembers the pass (by its number, so the numbers of existing passes never change).
    /// </summary>
    public enum Pass
    {
        EveryWordClose = 0,
        EveryWordLoose = 1,
        WholeQueryLoose = 2,
        EveryWordRough = 3,
    }

    public const double CloseMatch = 0.6;

    public const double LooseMatch = 0.45;

    public const double RoughMatch = 0.3;

    private static readonly Pass[] Passes = [Pass.EveryWordClose, Pass.EveryWordLoose, Pass.EveryWordRough, Pass.WholeQueryLoose];

    /// <summary>The pass after <paramref name="pass"/> for a query of <paramref name="words"/> words, or null when none is left.</summary>
    public static Pass? NextPass(Pass pass, int words)
    {
        if (words <= 1)
        {
            return pass == Pass.EveryWordClose && words == 1 ? Pass.EveryWordLoose : null;
        }

        var at = Array.IndexOf(Passes, pass);
        return at + 1 < Passes.Length ? Passes[at + 1] : null;
    }

    private static double Threshold(Pass pass) => pass switch
    {
        Pass.EveryWordClose => CloseMatch,
        Pass.EveryWordRough => RoughMatch,
        _ => LooseMatch,
    };

    /// <summary>Words of a query that drive the index; more add little but cost a condition each.</summary>
    private const int MaxWords = 6;

    private const int FacetTop = 20;

    private const string Filters = """
          AND (@numberKey::text IS NULL OR r.number_key = @numberKey)
          AND (@ownerId::uuid IS NULL OR r.owner_org_id = @ownerId)
          AND (@ownerText::text IS NULL OR o.name_en ILIKE @ownerText OR o.name_zh ILIKE @ownerText)
          AND (@type::text IS NULL OR r.type = @type)
          AND (@status::text IS NULL OR r.status = @status)
          AND (@jurisdiction::text IS NULL OR r.jurisdiction = @jurisdiction)
          AND (@class::smallint IS NULL OR r.classes @> ARRAY[@class::smallint])
          AND (@validOn::date IS NULL OR (r.registered_on <= @validOn AND (r.expires_on IS NULL OR r.expires_on >= @validOn) AND r.status <> 'cancelled'))
        """;

    // An exact number is the best match there is; otherwise mostly how well the query matches some words of
    // the names, a little how much of all the names it covers (so "Northwind" ranks the mark named exactly that first).
    private const string Score = """
        CASE WHEN @folded::text IS NULL THEN 0::float8
             WHEN r.number_key = @queryNumber THEN 1::float8
             ELSE (0.8 * word_similarity(@folded, r.search_names) + 0.2 * similarity(@folded, r.search_names))::float8 END
        """;

    public async Task<RightSearchPage> SearchAsync(RightFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var parameters = Parse(rules, filter);
        var facets = QueryValues.Bool(rules, "facets", filter.Facets) ?? false;
        var cursor = DecodeCursor(rules, filter.Cursor);
        rules.ThrowIfAny();
        parameters.Add("afterScore", cursor?.Score);
        parameters.Add("afterId", cursor?.Id);
        parameters.Add("take", take + 1);

        await using var tx = await db.BeginAsync(cancellationToken);
        var words = parameters.Get<string[]>("words");
        var pass = cursor?.Pass ?? Pass.EveryWordClose;
        (List<RightView> Items, List<FacetRow>? Facets) found;
        while (true)
        {
            await UseThresholdAsync(tx, Threshold(pass), cancellationToken);
            found = await PageAsync(tx, Where(pass, words.Length), parameters, facets, cancellationToken);
            if (cursor is not null || found.Items.Count > 0 || NextPass(pass, words.Length) is not { } next)
            {
                break;
            }

            pass = next;
        }

        var page = Paging.Build(found.Items, take, r => string.Create(CultureInfo.InvariantCulture, $"{(int)pass}|{(r.Score ?? 0).ToString("R", CultureInfo.InvariantCulture)}|{r.Id}"));
        RightFacets? facetCounts = null;
        if (facets)
        {
            // A page past the last match has no row to carry the counts: count them on their own then.
            facetCounts = await FacetsAsync(tx, found.Facets ?? await FacetRowsAsync(tx, Where(pass, words.Length), parameters, cancellationToken), cancellationToken);
        }

        var result = new RightSearchPage(page.Items, page.NextCursor, facetCounts);

        var restricted = page.Items.Where(r => r.Distribution != Distribution.Public).Select(r => r.Id).ToList();
        if (restricted.Count > 0)
        {
            await tx.AuditAsync("right.search", "right", null, detail: new { q = filter.Q, ids = restricted }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Ranks ids and scores first and reads whole rows only for the page, so a query with thousands of
    /// candidates does not carry thousands of full rows through the sort. With facets, the matches are
    /// gathered once and both the page and the counts come from them: counting in a second statement
    /// would repeat the name search, the costliest part of the query.
    /// </summary>
    private static async Task<(List<RightView> Items, List<FacetRow>? Facets)> PageAsync(DbTx tx, string where, DynamicParameters parameters, bool facets, CancellationToken cancellationToken)
    {
        var matches = facets
            ? $"""
              m AS MATERIALIZED (
                  SELECT r.id, {Score} AS score, r.type, r.status, r.jurisdiction, r.classes, r.owner_org_id
                  FROM rights r JOIN organisations o ON o.id = r.owner_org_id
                  {where}
              ), ranked AS (SELECT id, score FROM m)
              """
            : $"""
              ranked AS (
                  SELECT r.id, {Score} AS score
                  FROM rights r JOIN organisations o ON o.id = r.owner_org_id
                  {where}
              )
              """;
        var counts = facets ? $", ({FacetCounts}) AS facets" : ", NULL::text AS facets";
        List<FacetRow>? facetRows = null;
        var items = (await tx.Connection.QueryAsync<RightStore.RightRow, double, string?, RightView>(
            new CommandDefinition(
                $"""
                WITH {matches}, page AS (
                    SELECT id, score FROM ranked
                    WHERE (@afterId::uuid IS NULL OR (score, id) < (@afterScore::float8, @afterId::uuid))
                    ORDER BY score DESC, id DESC
                    LIMIT @take
                )
                {RightStore.Select}, page.score{counts}
                FROM page JOIN rights r ON r.id = page.id JOIN organisations o ON o.id = r.owner_org_id JOIN organisations b ON b.id = r.recorded_by_org_id
                ORDER BY page.score DESC, page.id DESC
                """,
                parameters,
                tx.Transaction,
                cancellationToken: cancellationToken),
            (row, score, counted) =>
            {
                facetRows ??= counted is null ? null : ParseFacetRows(counted);
                return row.ToView(score);
            },
            splitOn: "score,facets")).ToList();
        return (items, facetRows);
    }

    /// <summary>
    /// Every matching right as CSV (the import's columns, so an export can be edited and imported again),
    /// streamed. Text that a spreadsheet would run as a formula is neutralised (<see cref="CsvWriter"/>).
    /// </summary>
    public async Task ExportAsync(RightFilter filter, Stream output, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var parameters = Parse(rules, filter);
        rules.ThrowIfAny();

        await using var tx = await db.BeginAsync(cancellationToken);
        await UseThresholdAsync(tx, LooseMatch, cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 65_536, leaveOpen: true);
        var csv = new CsvWriter(writer);
        await csv.WriteRowAsync(RightImporter.CsvColumns.Append("holder").Append("id"));
        var count = 0;
        var rows = tx.Connection.QueryUnbufferedAsync<RightStore.RightRow>(
            $"{RightStore.Select} {RightStore.From} {Where(Pass.WholeQueryLoose, 0)} ORDER BY r.id",
            parameters,
            tx.Transaction);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var r = row.ToView();
            await csv.WriteRowAsync(
            [
                r.Type.ToWire(), r.Form?.ToWire(), r.Jurisdiction, r.Number, r.ApplicationNumber, r.Name, r.NameZh, string.Join(';', r.OtherNames),
                string.Join(';', r.Classes.Select(c => c.ToString(CultureInfo.InvariantCulture))), r.Goods, Date(r.Filed), Date(r.Registered), Date(r.Expires),
                r.Status.ToWire(), r.Area, r.Product, r.Species, r.Description, r.Distribution.ToWire(), r.Owner.NameEn, r.Id.ToString(),
            ]);
            count++;
        }

        await writer.FlushAsync(cancellationToken);
        await tx.AuditAsync("right.export", "right", null, detail: new { filter.Q, count }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private static string? Date(DateOnly? date) => date is { } d ? Dates.Format(d) : null;

    /// <summary>
    /// The similarity a name must reach, and no JIT compilation: it costs more (a quarter of a second) than
    /// an indexed search takes, and the planner's estimates for trigram matches often trigger it.
    /// </summary>
    private static async Task UseThresholdAsync(DbTx tx, double threshold, CancellationToken cancellationToken) =>
        await tx.ExecuteAsync(
            "SELECT set_config('pg_trgm.word_similarity_threshold', @threshold, true), set_config('jit', 'off', true)",
            new { threshold = threshold.ToString(CultureInfo.InvariantCulture) },
            cancellationToken);

    /// <summary>
    /// The WHERE clause of a pass: the name condition (with a number match beside it, since a query may be a
    /// number) and the filters. Only parameter names are put together here, never the caller's text.
    /// </summary>
    private static string Where(Pass pass, int words)
    {
        var name = pass == Pass.WholeQueryLoose || words == 0
            ? "@folded <% r.search_names"
            : string.Join(" AND ", Enumerable.Range(0, words).Select(i => string.Create(CultureInfo.InvariantCulture, $"(@words::text[])[{i + 1}] <% r.search_names")));
        return $"WHERE (@folded::text IS NULL OR ({name}) OR r.number_key = @queryNumber)\n{Filters}";
    }

    /// <summary>The query's distinct words that can drive the index: Chinese pairs, and Latin words of two letters or more.</summary>
    private static string[] QueryWords(string? folded) =>
        string.IsNullOrEmpty(folded)
            ? []
            : folded.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 2 || !char.IsAsciiLetterOrDigit(w[0]))
                .Distinct(StringComparer.Ordinal).Take(MaxWords).ToArray();

    private static DynamicParameters Parse(FieldRules rules, RightFilter filter)
    {
        var q = rules.Optional("q", filter.Q, 200);
        var folded = q is null ? null : RightNames.Fold(q);
        if (q is not null && string.IsNullOrEmpty(folded))
        {
            rules.Add("q", "right.query_without_letters");
        }

        var number = rules.Optional("number", filter.Number, RightRules.NumberMax);
        var numberKey = number is null ? null : RightRules.NumberKey(number);
        if (number is not null && numberKey is null)
        {
            rules.Add("number", "right.number_without_digits", number);
        }

        var owner = rules.Optional("owner", filter.Owner, 200);
        Guid? ownerId = Guid.TryParse(owner, out var parsedOwner) ? parsedOwner : null;
        string? type = null;
        if (filter.Type is { Length: > 0 })
        {
            if (RightWords.TryParseType(filter.Type, out var t))
            {
                type = t.ToWire();
            }
            else
            {
                rules.Add("type", "right.type_unknown", filter.Type, string.Join(", ", RightWords.TypeWires));
            }
        }

        string? status = null;
        if (filter.Status is { Length: > 0 })
        {
            if (RightWords.TryParseStatus(filter.Status, out var s))
            {
                status = s.ToWire();
            }
            else
            {
                rules.Add("status", "right.status_unknown", filter.Status, string.Join(", ", RightWords.StatusWires));
            }
        }

        string? jurisdiction = null;
        if (filter.Jurisdiction is { Length: > 0 })
        {
            jurisdiction = Jurisdictions.Normalise(filter.Jurisdiction);
            if (jurisdiction is null)
            {
                rules.Add("jurisdiction", "right.jurisdiction_unknown", filter.Jurisdiction);
            }
        }

        short? niceClass = null;
        if (filter.Class is { Length: > 0 })
        {
            var classes = NiceClasses.ParseList(rules, "class", filter.Class);
            if (classes.Count == 1 && classes[0] is >= NiceClasses.First and <= NiceClasses.Last)
            {
                niceClass = (short)classes[0];
            }
            else if (!rules.Errors.Any(e => e.Field == "class"))
            {
                rules.Add("class", "right.class_out_of_range", filter.Class, NiceClasses.First, NiceClasses.Last);
            }
        }

        var validOn = Dates.Parse(rules, "validOn", filter.ValidOn);
        var parameters = new DynamicParameters();
        parameters.Add("folded", string.IsNullOrEmpty(folded) ? null : folded);
        parameters.Add("words", QueryWords(folded));
        parameters.Add("queryNumber", q is null ? null : RightRules.NumberKey(q));
        parameters.Add("numberKey", numberKey);
        parameters.Add("ownerId", ownerId);
        parameters.Add("ownerText", owner is null || ownerId is not null ? null : "%" + EscapeLike(owner) + "%");
        parameters.Add("type", type);
        parameters.Add("status", status);
        parameters.Add("jurisdiction", jurisdiction);
        parameters.Add("class", niceClass);
        parameters.Add("validOn", validOn);
        return parameters;
    }

    /// <summary>Facet counts over the matches <c>m</c> as one JSON array of [facet, value, count] (null when nothing matched).</summary>
    private const string FacetCounts = """
        SELECT json_agg(json_build_array(f.facet, f.value, f.n))::text FROM (
            SELECT 'type' AS facet, type AS value, count(*) AS n FROM m GROUP BY type
            UNION ALL SELECT 'status', status, count(*) FROM m GROUP BY status
            UNION ALL SELECT 'jurisdiction', jurisdiction, count(*) FROM m GROUP BY jurisdiction
            UNION ALL SELECT 'class', c::text, count(*) FROM m, unnest(m.classes) c GROUP BY c
            UNION ALL SELECT 'owner', owner_org_id::text, count(*) FROM m GROUP BY owner_org_id) f
        """;

    private sealed record FacetRow(string Facet, string Value, long Count);

    private static List<FacetRow> ParseFacetRows(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(row => new FacetRow(row[0].GetString()!, row[1].GetString()!, row[2].GetInt64()))
            .ToList();
    }

    private static async Task<List<FacetRow>> FacetRowsAsync(DbTx tx, string where, DynamicParameters parameters, CancellationToken cancellationToken)
    {
        var json = await tx.QuerySingleAsync<string?>(
            $"""
            WITH m AS MATERIALIZED (SELECT r.type, r.status, r.jurisdiction, r.classes, r.owner_org_id FROM rights r JOIN organisations o ON o.id = r.owner_org_id {where})
            {FacetCounts}
            """,
            parameters,
            cancellationToken);
        return json is null ? [] : ParseFacetRows(json);
    }

    private static async Task<RightFacets> FacetsAsync(DbTx tx, List<FacetRow> rows, CancellationToken cancellationToken)
    {
        List<FacetCount> Of(string facet, int top) => rows.Where(r => r.Facet == facet).OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal)
            .Take(top).Select(r => new FacetCount(r.Value, r.Count)).ToList();

        var owners = rows.Where(r => r.Facet == "owner").OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal).Take(FacetTop).ToList();
        var names = owners.Count == 0
            ? new Dictionary<Guid, (string NameEn, string NameZh)>()
            : (await tx.QueryAsync<(Guid Id, string NameEn, string NameZh)>(
                "SELECT id, name_en, name_zh FROM organisations WHERE id = ANY (@ids)", new { ids = owners.Select(o => Guid.Parse(o.Value)).ToArray() }, cancellationToken))
                .ToDictionary(o => o.Id, o => (o.NameEn, o.NameZh));
        return new RightFacets(
            Of("type", FacetTop),
            Of("status", FacetTop),
            Of("jurisdiction", FacetTop),
            Of("class", NiceClasses.Last).OrderBy(c => int.Parse(c.Value, CultureInfo.InvariantCulture)).ToList(),
            owners.Select(o => Guid.Parse(o.Value)).Where(names.ContainsKey).Select(id => new OwnerFacet(id, names[id].NameEn, names[id].NameZh, owners.First(o => Guid.Parse(o.Value) == id).Count)).ToList());
    }

    private sealed record Cursor(Pass Pass, double Score, Guid Id);

    /// <summary>The cursor carries the pass and the last row's score and id: pages stay stable while results are ranked.</summary>
    private static Cursor? DecodeCursor(FieldRules rules, string? cursor)
    {
        var position = Paging.Decode(rules, cursor);
        if (position is null)
        {
            return null;
        }

        var parts = position.Split('|');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pass) && Enum.IsDefined((Pass)pass)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
            && Guid.TryParse(parts[2], out var id))
        {
            return new Cursor((Pass)pass, score, id);
        }

        rules.Add("cursor", "cursor.invalid");
        return null;
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
