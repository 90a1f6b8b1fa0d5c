using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Rights;

/// <summary>Bulk import through POST /api/v1/rights/import: per-row reports, all or nothing, idempotence, encodings, bad files.</summary>
public sealed class ImportTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private const string Header = "type,jurisdiction,number,name,name_zh,classes,filed,registered,expires,status";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_file_is_imported_and_importing_it_again_writes_nothing()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = $"""
            {Header}
            trademark,CN,40000001,Larkspire,云雀尖,25;18,2019-01-10,2020-02-20,2030-02-19,registered
            商标,ＣＮ,40000002,Larkspire Kids,"云雀尖,童装",２５,2019/1/10,2020年2月20日,2030-02-19,已注册
            patent,EP,EP4000003,"Hinge with ""quiet"" close",,,2021-03-01,,,pending
            trademark,EM,018400004,Larkspire,,25,2020-05-05,2020-11-11,2030-05-05,registered
            """;

        var first = await ImportAsync(holder.Client, csv);

        Assert.True(first.GetProperty("committed").GetBoolean(), first.ToString());
        Assert.Equal(4, first.GetProperty("rows").GetInt32());
        Assert.Equal(4, first.GetProperty("written").GetInt32());
        Assert.Equal(4, first.GetProperty("created").GetInt32());
        Assert.Equal(0, first.GetProperty("errors").GetArrayLength());
        Assert.Equal("utf-8", first.GetProperty("encoding").GetString());
        var found = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("童装"));
        Assert.Equal("云雀尖,童装", found.GetProperty("items")[0].GetProperty("nameZh").GetString());
        var patent = await GetAsync(holder.Client, "/api/v1/rights?number=EP4000003");
        Assert.Equal("Hinge with \"quiet\" close", patent.GetProperty("items")[0].GetProperty("name").GetString());

        var versions = await VersionsAsync(holder.Id);
        var again = await ImportAsync(holder.Client, csv);
        Assert.True(again.GetProperty("committed").GetBoolean());
        Assert.Equal(0, again.GetProperty("written").GetInt32());
        Assert.Equal(4, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(versions, await VersionsAsync(holder.Id));

        var changed = await ImportAsync(holder.Client, Header + "\ntrademark,CN,40000001,Larkspire,云雀尖,25;18;35,2019-01-10,2020-02-20,2030-02-19,registered\n");
        Assert.Equal(1, changed.GetProperty("updated").GetInt32());
        Assert.Equal(1, changed.GetProperty("written").GetInt32());
    }

    [Theory]
    [InlineData("trademark,CN,41000001,Badclass,,0;25,2019-01-10,2020-02-20,2030-02-19,registered", "classes[0]", "right.class_out_of_range")]
    [InlineData("trademark,CN,41000002,Badclass,,46,2019-01-10,2020-02-20,2030-02-19,registered", "classes[0]", "right.class_out_of_range")]
    [InlineData("trademark,CN,41000003,Badclass,,二十五,2019-01-10,2020-02-20,2030-02-19,registered", "classes", "right.class_not_a_number")]
    [InlineData("trademark,CN,41000004,Dates,,25,2021-01-10,2020-02-20,2030-02-19,registered", "registered", "date.before")]
    [InlineData("trademark,CN,41000005,Dates,,25,2019-01-10,2020-02-20,2020-02-19,registered", "expires", "date.not_after")]
    [InlineData("trademark,CN,41000006,Dates,,25,10/01/2019,,,registered", "filed", "date.not_a_date")]
    [InlineData("trademark,XX,41000007,Nowhere,,25,,,,registered", "jurisdiction", "right.jurisdiction_unknown")]
    [InlineData("trademark,ＸＸ,41000008,全角,,25,,,,registered", "jurisdiction", "right.jurisdiction_unknown")]
    [InlineData("brand,CN,41000009,Unknown type,,,,,,registered", "type", "right.type_unknown")]
    [InlineData("trademark,CN,,No number,,25,,,,registered", "number", "required")]
    [InlineData("trademark,CN,41000010,,无英文名,25,,,,registered", "name", "required")]
    [InlineData("trademark,CN,41000011,Status,,25,,,,valid", "status", "right.status_unknown")]
    [InlineData("trademark,CN,41000012,Too,few", "row", "import.field_count")]
    public async Task An_invalid_row_is_reported_by_line_and_column_and_nothing_is_written(string row, string field, string code)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, language: "zh-CN");
        var before = await CountAsync(factory, "rights");
        var csv = $"{Header}\ntrademark,CN,42000001,Goodrow,好行,25,2019-01-10,2020-02-20,2030-02-19,registered\n\n{row}\n";

        var report = await ImportAsync(holder.Client, csv);

        Assert.False(report.GetProperty("committed").GetBoolean());
        Assert.Equal(0, report.GetProperty("written").GetInt32());
        Assert.Equal(1, report.GetProperty("invalid").GetInt32());
        var error = report.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("code").GetString() == code);
        Assert.Equal(4, error.GetProperty("row").GetInt32());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.True(HasChinese(error.GetProperty("message").GetString()!), error.ToString());
        Assert.Contains("skipInvalid", report.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(factory, "rights"));
    }

    [Fact]
    public async Task With_skipInvalid_exactly_the_valid_rows_are_written_in_one_go()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = $"""
            {Header}
            trademark,CN,43000001,Goodone,,25,,,,registered
            trademark,CN,43000002,Badone,,99,,,,registered
            trademark,CN,43000003,Goodtwo,,25,,,,registered
            """;

        var report = await ImportAsync(holder.Client, csv, "?skipInvalid=true");

        Assert.True(report.GetProperty("committed").GetBoolean());
        Assert.Equal(2, report.GetProperty("written").GetInt32());
        Assert.Equal(3, report.GetProperty("errors")[0].GetProperty("row").GetInt32());
        Assert.Equal(2, (await GetAsync(holder.Client, $"/api/v1/rights?owner={holder.Id}")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Duplicate_numbers_in_one_file_are_reported_on_every_line_they_appear()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = $"""
            {Header}
            trademark,CN,44000001,First,,25,,,,registered
            trademark,CN,44-000-001,Second,,25,,,,registered
            trademark,CN,44000002,Other,,25,,,,registered
            trademark,EM,44000001,Elsewhere,,25,,,,registered
            """;

        var report = await ImportAsync(holder.Client, csv);

        var rows = report.GetProperty("errors").EnumerateArray().Where(e => e.GetProperty("code").GetString() == "import.duplicate_number").Select(e => e.GetProperty("row").GetInt32()).ToList();
        Assert.Equal([2, 3], rows);
        Assert.Equal(2, report.GetProperty("invalid").GetInt32());
        Assert.Equal(0, report.GetProperty("written").GetInt32());
    }

    [Fact]
    public async Task A_number_another_holder_recorded_is_refused_without_revealing_the_holder()
    {
        var first = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var second = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var body = JsonSerializer.SerializeToElement(Trademark("45000001", "Claimed"));
        await CreateRightAsync(first.Client, new Dictionary<string, object?>(body.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value))) { ["distribution"] = "organisation" });

        var report = await ImportAsync(second.Client, $"{Header}\ntrademark,CN,45000001,Claimed too,,25,,,,registered\n");

        var error = report.GetProperty("errors")[0];
        Assert.Equal("import.number_held_by_another", error.GetProperty("code").GetString());
        Assert.DoesNotContain(first.Id.ToString(), report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_happen_and_writes_nothing()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var before = await CountAsync(factory, "rights");
        var audit = await CountAsync(factory, "audit_events");

        var report = await ImportAsync(holder.Client, $"{Header}\ntrademark,CN,46000001,Dryrun,,25,,,,registered\n", "?dryRun=true");

        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.False(report.GetProperty("committed").GetBoolean());
        Assert.Equal(1, report.GetProperty("created").GetInt32());
        Assert.Equal(0, report.GetProperty("written").GetInt32());
        Assert.Equal(before, await CountAsync(factory, "rights"));
        Assert.Equal(audit, await CountAsync(factory, "audit_events"));
    }

    [Fact]
    public async Task A_GBK_file_is_detected_and_converted_and_the_report_says_so()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = Encoding.GetEncoding("GBK").GetBytes($"{Header}\ntrademark,CN,47000001,Plumvale,梅谷,29,2018-03-01,2019-04-01,2029-03-31,已注册\n");

        var report = await ImportAsync(holder.Client, new ByteArrayContent(gbk) { Headers = { ContentType = new("text/csv") } });

        Assert.True(report.GetProperty("committed").GetBoolean(), report.ToString());
        Assert.Equal("gb18030", report.GetProperty("encoding").GetString());
        Assert.True(report.GetProperty("converted").GetBoolean());
        Assert.Contains("GB18030", report.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.Equal("梅谷", (await GetAsync(holder.Client, "/api/v1/rights?number=47000001")).GetProperty("items")[0].GetProperty("nameZh").GetString());
    }

    [Theory]
    [InlineData("xlsx", "import.spreadsheet")]
    [InlineData("utf16", "import.encoding_utf16")]
    [InlineData("png", "import.binary")]
    [InlineData("latin1", "import.encoding_unknown")]
    [InlineData("json-as-csv", "import.not_csv")]
    [InlineData("empty", "file.empty")]
    [InlineData("bad-header", "import.unknown_column")]
    [InlineData("missing-column", "import.missing_column")]
    public async Task A_file_that_is_not_usable_CSV_is_a_400_naming_the_problem(string kind, string code)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, language: "zh-CN");
        byte[] bytes = kind switch
        {
            "xlsx" => [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00],
            "utf16" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Header)).ToArray(),
            "png" => TestImages.Png(1, 2, 3),
            "latin1" => Encoding.Latin1.GetBytes($"{Header}\ntrademark,DE,1,Müller é,,25,,,,registered\n"),
            "json-as-csv" => Encoding.UTF8.GetBytes("""[{"type":"trademark"}]"""),
            "empty" => [],
            "bad-header" => Encoding.UTF8.GetBytes(Header + ",clases\n"),
            _ => Encoding.UTF8.GetBytes("type,jurisdiction,number,name\n"),
        };
        var before = await CountAsync(factory, "rights");

        var response = await holder.Client.PostAsync("/api/v1/rights/import", new ByteArrayContent(bytes) { Headers = { ContentType = new("text/csv") } }, _ct);

        var error = await AssertFieldErrorAsync(response, kind is "bad-header" or "missing-column" ? "header" : "file", code);
        Assert.True(HasChinese(error.GetProperty("message").GetString()!));
        Assert.Equal(before, await CountAsync(factory, "rights"));
    }

    [Fact]
    public async Task A_large_import_created_chunk_by_chunk_forgets_a_number_repeated_in_a_later_chunk_and_leaves_its_names_indexed()
    {
        // 60,000 rows are two chunks; the first row's number comes again in the second chunk, after the first
        // chunk already created its right: with skipInvalid both lines are refused and that right must go again.
        const int rows = 60_000;
        const int repeat = 59_000;
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var number = i == repeat ? 0 : i;
            csv.Append(CultureInfo.InvariantCulture, $"trademark,CN,9{number:D7},Bulkmark{i:D5} Vantorel,批量{i % 97}号,25,2019-01-10,2020-02-20,2030-02-19,registered\n");
        }

        var report = await ImportAsync(holder.Client, csv.ToString(), "?skipInvalid=true");

        Assert.True(report.GetProperty("committed").GetBoolean(), report.ToString());
        Assert.Equal(rows - 2, report.GetProperty("created").GetInt32());
        Assert.Equal([2, repeat + 2], report.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Order());
        Assert.Equal(0, (await GetAsync(holder.Client, "/api/v1/rights?number=90000000")).GetProperty("items").GetArrayLength());
        await using (var connection = await factory.OpenOwnerConnectionAsync())
        {
            Assert.Equal(rows - 2, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM rights WHERE owner_org_id = @owner", new { owner = holder.Id }));
            // The import merged its pending trigrams itself: nothing is left for a later search to read through.
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT gin_clean_pending_list('rights_names'::regclass)"));
        }

        var found = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("Bulkmark31999 Vantorle"));
        Assert.Equal("90031999", found.GetProperty("items")[0].GetProperty("number").GetString());
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Every_column_is_stored_as_the_file_gives_it(string format)
    {
        // The import writes rows in PostgreSQL's binary format itself: a wrong date epoch, array layout or text
        // encoding would store other values than the file's without any error.
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var number = format == "csv" ? "47100001" : "47100002";
        var content = format == "csv"
            ? new StringContent(
                string.Join(',', RightImporterColumns) + "\n" +
                $"trademark,combined,CN,{number},A-2019-77,Quillmere Ünïcode,羽湖,\"Quillmere Kids;クイルミア\",3;25;45,\"Clothing, footwear\",1999-12-31,2000-01-01,2030-02-28,registered,,,,Blue quill on a lake 蓝羽,organisation\n",
                Encoding.UTF8,
                "text/csv")
            : new StringContent(
                $$"""[{ "type": "trademark", "form": "combined", "jurisdiction": "CN", "number": "{{number}}", "applicationNumber": "A-2019-77", "name": "Quillmere Ünïcode", "nameZh": "羽湖", "otherNames": ["Quillmere Kids", "クイルミア"], "classes": [3, 25, 45], "goods": "Clothing, footwear", "filed": "1999-12-31", "registered": "2000-01-01", "expires": "2030-02-28", "status": "registered", "description": "Blue quill on a lake 蓝羽", "distribution": "organisation" }]""",
                Encoding.UTF8,
                "application/json");

        var report = await ImportAsync(holder.Client, content);

        Assert.Equal(1, report.GetProperty("created").GetInt32());
        var right = (await GetAsync(holder.Client, $"/api/v1/rights?number={number}")).GetProperty("items")[0];
        Assert.Equal("trademark", right.GetProperty("type").GetString());
        Assert.Equal("combined", right.GetProperty("form").GetString());
        Assert.Equal("CN", right.GetProperty("jurisdiction").GetString());
        Assert.Equal("A-2019-77", right.GetProperty("applicationNumber").GetString());
        Assert.Equal("Quillmere Ünïcode", right.GetProperty("name").GetString());
        Assert.Equal("羽湖", right.GetProperty("nameZh").GetString());
        Assert.Equal(["Quillmere Kids", "クイルミア"], right.GetProperty("otherNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal([3, 25, 45], right.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()));
        Assert.Equal("Clothing, footwear", right.GetProperty("goods").GetString());
        Assert.Equal("1999-12-31", right.GetProperty("filed").GetString());
        Assert.Equal("2000-01-01", right.GetProperty("registered").GetString());
        Assert.Equal("2030-02-28", right.GetProperty("expires").GetString());
        Assert.Equal("registered", right.GetProperty("status").GetString());
        Assert.Equal("Blue quill on a lake 蓝羽", right.GetProperty("description").GetString());
        Assert.Equal("organisation", right.GetProperty("distribution").GetString());
        Assert.False(right.TryGetProperty("area", out var area) && area.ValueKind != JsonValueKind.Null, "an empty cell is stored as no value");
        var byOtherName = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("クイルミア"));
        Assert.Equal(number, byOtherName.GetProperty("items")[0].GetProperty("number").GetString());
    }

    private static readonly string[] RightImporterColumns = Tracemark.Server.Rights.Import.RightImporter.CsvColumns.ToArray();

    [Fact]
    public async Task A_large_import_refused_by_a_row_in_its_last_chunk_leaves_no_right_and_no_name_to_find()
    {
        // The first chunk creates its rights (and their names may be merged into the index beside the import)
        // before a bad row in the second chunk refuses the file: the rollback must leave nothing findable.
        const int rows = 60_000;
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var classes = i == rows - 10 ? "46" : "25";
            csv.Append(CultureInfo.InvariantCulture, $"trademark,CN,8{i:D7},Refusedmark{i:D5} Quellvar,,{classes},2019-01-10,2020-02-20,2030-02-19,registered\n");
        }

        var before = await CountAsync(factory, "rights");
        var report = await ImportAsync(holder.Client, csv.ToString());

        Assert.False(report.GetProperty("committed").GetBoolean(), report.ToString());
        Assert.Equal(0, report.GetProperty("written").GetInt32());
        Assert.Equal([rows - 10 + 2], report.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()));
        Assert.Equal(before, await CountAsync(factory, "rights"));
        var found = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("Refusedmark00123 Quellvar"));
        Assert.Equal(0, found.GetProperty("items").GetArrayLength());

        // The same numbers are free: the file without its bad row imports whole.
        var fixedCsv = csv.ToString().Replace(",46,", ",25,", StringComparison.Ordinal);
        var second = await ImportAsync(holder.Client, fixedCsv);
        Assert.Equal(rows, second.GetProperty("created").GetInt32());
        var foundNow = await GetAsync(holder.Client, "/api/v1/rights?q=" + Uri.EscapeDataString("Refusedmark00123 Quellvar"));
        Assert.Equal("80000123", foundNow.GetProperty("items")[0].GetProperty("number").GetString());
    }

    [Fact]
    public async Task With_skipInvalid_a_number_twice_in_the_file_creates_no_right_at_all()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var csv = $"""
            {Header}
            trademark,CN,45000001,First,,25,,,,registered
            trademark,CN,45-000-001,Second,,25,,,,registered
            trademark,CN,45000002,Other,,25,,,,registered
            """;

        var report = await ImportAsync(holder.Client, csv, "?skipInvalid=true");

        Assert.True(report.GetProperty("committed").GetBoolean());
        Assert.Equal(1, report.GetProperty("created").GetInt32());
        var mine = (await GetAsync(holder.Client, $"/api/v1/rights?owner={holder.Id}")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("number").GetString()).ToList();
        Assert.Equal(["45000002"], mine);
    }

    [Fact]
    public async Task Only_CSV_and_JSON_are_accepted()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var response = await holder.Client.PostAsync("/api/v1/rights/import", new StringContent("<rights/>", Encoding.UTF8, "application/xml"), _ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        Assert.Equal("import.media_type", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task JSON_imports_the_same_way_and_names_rows_by_line()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var json = """
            [
              { "type": "trademark", "jurisdiction": "CN", "number": "48000001", "name": "Jadeharbor", "nameZh": "玉港", "classes": [3, 5] },
              {
                "type": "trademark", "jurisdiction": "CN", "number": "48000002", "name": "Badjson",
                "classes": [50]
              },
              { "type": "trademark", "jurisdiction": "CN", "number": "48000003", "name": "Typo", "clases": "25" }
            ]
            """;

        var report = await ImportAsync(holder.Client, new StringContent(json, Encoding.UTF8, "application/json"), "?skipInvalid=true");

        Assert.Equal("json", report.GetProperty("format").GetString());
        Assert.Equal(1, report.GetProperty("written").GetInt32());
        var errors = report.GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("row").GetInt32() == 3 && e.GetProperty("field").GetString() == "classes[0]");
        Assert.Contains(errors, e => e.GetProperty("row").GetInt32() == 7 && e.GetProperty("code").GetString() == "json.invalid_value");

        var malformed = await holder.Client.PostAsync("/api/v1/rights/import", new StringContent("[\n{\"type\": \"trademark\",\n\"name\": }\n]", Encoding.UTF8, "application/json"), _ct);
        await AssertFieldErrorAsync(malformed, "file", "import.json_malformed");
    }

    [Fact]
    public async Task Exported_CSV_cannot_run_formulas_and_imports_back_unchanged()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        await ImportAsync(holder.Client, $"{Header},goods\ntrademark,CN,49000001,\"=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\",＝1+1,25,,,,registered,@SUM(A1)\n");

        var export = await holder.Client.GetStringAsync($"/api/v1/rights/export?owner={holder.Id}", _ct);

        var line = export.Split("\r\n")[1];
        Assert.StartsWith("trademark,word,CN,49000001,,\"'=HYPERLINK(", line, StringComparison.Ordinal);
        Assert.Contains(",'＝1+1,", line, StringComparison.Ordinal);
        Assert.Contains(",'@SUM(A1),", line, StringComparison.Ordinal);
        foreach (var cell in SplitCsv(line))
        {
            Assert.False(cell.Length > 0 && "=+-@＝＋－＠".Contains(cell[0], StringComparison.Ordinal), cell);
        }

        var reimport = await ImportAsync(holder.Client, ExportWithoutExtraColumns(export));
        Assert.Equal(0, reimport.GetProperty("written").GetInt32());
        Assert.Equal(1, reimport.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task An_agent_imports_for_a_holder_that_authorised_it_and_not_for_others()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, admin: true);
        var agent = await OrgAsync(factory, OrganisationKind.Agent);
        var csv = $"{Header}\ntrademark,CN,50000001,Agentmark,,25,,,,registered\n";

        var refused = await agent.Client.PostAsync($"/api/v1/rights/import?holderId={holder.Id}", new StringContent(csv, Encoding.UTF8, "text/csv"), _ct);
        await AssertFieldErrorAsync(refused, "holderId", "right.holder_not_authorised");

        await PostAsync(holder.Client, "/api/v1/agent-authorisations", new { agentId = agent.Id, allRights = true });
        var report = await ImportAsync(agent.Client, csv, $"?holderId={holder.Id}");
        Assert.Equal(1, report.GetProperty("written").GetInt32());
        var right = (await GetAsync(holder.Client, "/api/v1/rights?number=50000001")).GetProperty("items")[0];
        Assert.Equal(holder.Id.ToString(), right.GetProperty("owner").GetProperty("id").GetString());
        Assert.Equal(agent.Id.ToString(), right.GetProperty("recordedBy").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("rights.csv", "text/csv", 7)]
    [InlineData("rights-zh.csv", "text/csv", 2)]
    [InlineData("rights.json", "application/json", 2)]
    public async Task The_documented_examples_import_cleanly(string example, string contentType, int rows)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var folder = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(Path.Combine(folder, "Tracemark.slnx")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var bytes = await System.IO.File.ReadAllBytesAsync(Path.Combine(folder, "docs", "examples", example), _ct);
        var report = await ImportAsync(holder.Client, new ByteArrayContent(bytes) { Headers = { ContentType = new(contentType) } }, "?dryRun=true");

        Assert.True(report.GetProperty("invalid").GetInt32() == 0, report.ToString());
        Assert.Equal(rows, report.GetProperty("rows").GetInt32());
        Assert.Equal(rows, report.GetProperty("created").GetInt32());
    }

    private static string ExportWithoutExtraColumns(string export)
    {
        // The export adds the holder's name and the id after the import's columns; an import names only its own.
        var lines = export.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Select(l => string.Join(',', SplitCsv(l).SkipLast(2).Select(Requote))));
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static string Requote(string cell) => cell.Contains(',', StringComparison.Ordinal) || cell.Contains('"', StringComparison.Ordinal) ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private Task<JsonElement> ImportAsync(HttpClient client, string csv, string query = "") =>
        ImportAsync(client, new StringContent(csv, Encoding.UTF8, "text/csv"), query);

    private async Task<JsonElement> ImportAsync(HttpClient client, HttpContent content, string query = "")
    {
        var response = await client.PostAsync("/api/v1/rights/import" + query, content, _ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(_ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
    }

    private async Task<List<(Guid Id, int Version)>> VersionsAsync(Guid owner)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return (await connection.QueryAsync<(Guid, int)>("SELECT id, version FROM rights WHERE owner_org_id = @owner ORDER BY id", new { owner })).ToList();
    }
}
