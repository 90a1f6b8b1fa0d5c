using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Customs.CustomsWorld;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Customs;

/// <summary>Declarations imported as CSV, JSON or GBK, screened and scored; bad files reported row by row with nothing written.</summary>
public sealed class DeclarationImportTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lines_are_screened_and_scored_the_authorised_importer_is_no_hit_and_the_riskiest_come_first()
    {
        var scene = await SceneAsync(factory, "DE");
        var number = "DE" + Letters().ToUpperInvariant();
        var job = await ImportAsync(scene.Customs.Client, CsvContent(Csv(
            // Far below the price band (5 EUR a piece against 100), from the wrong origin by air: the riskiest.
            Row(number, 1, scene.Mark, quantity: "200", value: "1000", mode: "air"),
            // The authorised importer, written in capitals without its legal form: not a hit.
            Row(number, 2, scene.Mark, importer: scene.Mark.ToUpperInvariant() + " EUROPE"),
            // Nothing of the mark: not on the list.
            Row(number, 3, "", description: "Plain cotton shirts"),
            // The mark and a risk term in the description, on the genuine route at a plausible price.
            Row(number, 4, "", description: scene.Mark + " jacket 高仿", origin: "IT", value: "5000"))));

        Assert.Equal("done", job.GetProperty("status").GetString());
        Assert.Equal(4, job.GetProperty("written").GetInt32());
        Assert.Equal(2, job.GetProperty("flagged").GetInt32());
        var lines = (await WorklistAsync(scene.Customs.Client)).Where(l => l.GetProperty("declarationNumber").GetString() == number).ToList();
        Assert.Equal([1, 4], lines.Select(l => l.GetProperty("line").GetInt32()));
        var codes = lines[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Contains("price_far_below", codes);
        Assert.Contains("route_unusual", codes);
        Assert.Contains("mark_in_brand", codes);
        Assert.Contains("risk_term", lines[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.True(lines[0].GetProperty("riskScore").GetInt32() > lines[1].GetProperty("riskScore").GetInt32());
        Assert.Equal(scene.Holder.Id, lines[0].GetProperty("holders")[0].GetProperty("id").GetGuid());

        // The authorised importer's line is stored, scored 0 and explained.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var authorised = await connection.QuerySingleAsync<(int Score, string Reasons)>(
            "SELECT risk_score, reasons::text FROM customs_lines WHERE declaration_number = @number AND line_no = 2", new { number });
        Assert.Equal(0, authorised.Score);
        Assert.Contains("authorised_party", authorised.Reasons, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reasons_are_worded_in_the_readers_language()
    {
        var scene = await SceneAsync(factory, "DE");
        await FlaggedLineAsync(scene);
        var chinese = factory.ApiClient(await Seed.ApiKeyAsync(factory, scene.Customs.Id, ["read"]), "zh-CN");
        var line = (await WorklistAsync(chinese))[0];
        Assert.True(HasChinese(line.GetProperty("reasons")[0].GetProperty("text").GetString()!), line.ToString());
    }

    [Fact]
    public async Task A_bad_file_is_refused_with_a_report_per_row_and_nothing_written()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var number = "BAD" + Letters().ToUpperInvariant();
        var before = await CountAsync(factory, "customs_lines");
        var job = await ImportAsync(customs.Client, CsvContent(Csv(
            Row(number, 1, "Acme"),
            Row(number, 2, "Acme", hs: "7701.00"),
            Row(number, 3, "Acme", quantity: "-4"),
            Row(number, 4, "Acme", currency: "RMB"),
            Row(number, 5, "Acme", hs: "６２０１．４０", quantity: "１２"),
            Row(number, 6, "Acme"),
            Row(number, 6, "Acme", description: "Same line number again"))));

        Assert.Equal("refused", job.GetProperty("status").GetString());
        var errors = job.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToList();
        // Rows count from the header (row 1), as a spreadsheet shows them.
        Assert.Contains((3, "hs_code", "customs.hs_unknown_chapter"), errors);
        Assert.Contains((4, "quantity", "customs.quantity_negative"), errors);
        Assert.Contains((5, "currency", "currency.unknown"), errors);
        // Line 6 is used twice: both rows are named, each pointing at the other.
        Assert.Contains((7, "line", "customs.duplicate_line"), errors);
        Assert.Contains((8, "line", "customs.duplicate_line"), errors);
        // The first row and the full-width one are fine.
        Assert.DoesNotContain(errors, e => e.Item1 is 2 or 6);
        Assert.All(job.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
        Assert.Equal(before, await CountAsync(factory, "customs_lines"));

        // The same report read in Chinese.
        var chinese = factory.ApiClient(await Seed.ApiKeyAsync(factory, customs.Id, ["read"]), "zh-CN");
        var inChinese = await GetAsync(chinese, $"/api/v1/customs/imports/{job.GetProperty("id").GetString()}");
        Assert.All(inChinese.GetProperty("errors").EnumerateArray(), e => Assert.True(HasChinese(e.GetProperty("message").GetString()!), e.ToString()));

        // Asked to, the valid rows are kept and the report still names the bad ones.
        var partial = await ImportAsync(customs.Client, CsvContent(Csv(Row(number, 1, "Acme"), Row(number, 2, "Acme", hs: "7701.00"), Row(number, 3, "Acme"))), "?skipInvalid=true");
        Assert.Equal("done", partial.GetProperty("status").GetString());
        Assert.Equal(2, partial.GetProperty("written").GetInt32());
        Assert.Equal(1, partial.GetProperty("invalid").GetInt32());
    }

    [Fact]
    public async Task A_gbk_file_is_read_in_its_charset_and_json_with_its_schema()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var scene = await SceneAsync(factory, "DE");
        var number = "GBK" + Letters().ToUpperInvariant();
        var csv = Csv(Row(number, 1, scene.Mark, description: "男士羽绒服 高仿", unit: "件", mode: "空运", importer: "汉堡贸易有限公司"));
        var content = new ByteArrayContent(Encoding.GetEncoding("GBK").GetBytes(csv));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=gbk");
        var job = await ImportAsync(scene.Customs.Client, content);
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var line = (await WorklistAsync(scene.Customs.Client)).Single(l => l.GetProperty("declarationNumber").GetString() == number);
        Assert.Equal("男士羽绒服 高仿", line.GetProperty("description").GetString());
        Assert.Equal("汉堡贸易有限公司", line.GetProperty("importer").GetString());
        Assert.Equal("air", line.GetProperty("mode").GetString());

        var json = JsonSerializer.Serialize(new[]
        {
            new
            {
                declarationNumber = "J" + number, line = 1, date = "2026-03-02", mode = "express", importer = "Hafen Handel GmbH", origin = "CN",
                destination = "DE", port = "DEHAM", hsCode = "6201.40", description = "Down jacket", brand = scene.Mark, quantity = 3, unit = "pcs",
                value = 30.0, currency = "EUR", grossKg = 1.5, containerIds = Array.Empty<string>(), parcelIds = new[] { "EX102938475CN" },
            },
        });
        var fromJson = await ImportAsync(scene.Customs.Client, Json(json));
        Assert.True(fromJson.GetProperty("status").GetString() == "done", fromJson.ToString());
        Assert.Contains(await WorklistAsync(scene.Customs.Client), l => l.GetProperty("declarationNumber").GetString() == "J" + number);
    }

    [Theory]
    [InlineData("customs-declarations.csv", "text/csv", 8)]
    [InlineData("customs-declarations-zh.csv", "text/csv", 3)]
    [InlineData("customs-declarations.json", "application/json", 2)]
    public async Task The_documented_examples_import_cleanly(string example, string contentType, int rows)
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var folder = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(Path.Combine(folder, "Tracemark.slnx")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var bytes = await System.IO.File.ReadAllBytesAsync(Path.Combine(folder, "docs", "examples", example), _ct);
        var job = await ImportAsync(customs.Client, new ByteArrayContent(bytes) { Headers = { ContentType = new(contentType) } });
        Assert.True(job.GetProperty("status").GetString() == "done" && job.GetProperty("invalid").GetInt32() == 0, job.ToString());
        Assert.Equal(rows, job.GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Only_customs_imports_and_sees_its_own_lines()
    {
        var scene = await SceneAsync(factory, "DE");
        var id = await FlaggedLineAsync(scene);
        var other = await OrgAsync(factory, OrganisationKind.Customs);
        Assert.DoesNotContain(await WorklistAsync(other.Client), l => l.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/v1/customs/lines/{id}", _ct)).StatusCode);
        var refused = await scene.Holder.Client.PostAsync("/api/v1/customs/imports", CsvContent(Csv(Row("X1", 1, "Acme"))), _ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var media = await scene.Customs.Client.PostAsync("/api/v1/customs/imports", new StringContent("x", Encoding.UTF8, "text/plain"), _ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, media.StatusCode);
    }
}
