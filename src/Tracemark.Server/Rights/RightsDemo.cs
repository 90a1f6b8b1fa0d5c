using System.Text.Json;
using Dapper;
using Tracemark.Core.Rights;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Rights;

/// <summary>
/// Rights, identification guides, customs recordations and an agent for the three demo rights holders.
/// Every mark, number, address and telephone number is invented; none is a real brand. One recordation
/// expires within 30 days of loading, so its renewal reminder shows in the holder's notifications.
/// </summary>
public sealed class RightsDemo : IDemoSeeder
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    public int Order => 40;

    public string Name => "rights, guides and recordations";

    private sealed record DemoRight(
        string Key, string Holder, string Type, string? Form, string Jurisdiction, string Number, string Name, string? NameZh, string[] OtherNames,
        short[] Classes, string? Goods, string? Filed, string? Registered, string? Expires, string Status);

    private static readonly DemoRight[] Rights =
    [
        new("01", "northwind", "trademark", "word", "CN", "31874652", "Northwind", "北风", ["NORTHWIND", "北風"], [25, 18],
            "25: clothing, outerwear, jackets, footwear; 18: bags, rucksacks", "2018-03-12", "2019-06-21", "2029-06-20", "registered"),
        new("02", "northwind", "trademark", "word", "EM", "018231457", "Northwind", "北风", [], [25],
            "25: clothing, outerwear, headgear", "2020-02-03", "2020-07-15", "2030-02-03", "registered"),
        new("03", "northwind", "trademark", "combined", "CN", "41236578", "Storm Shell", "风暴壳", [], [25],
            "25: waterproof jackets, rainwear", "2021-05-08", "2022-03-27", "2032-03-26", "registered"),
        new("04", "eaglebrook", "trademark", "word", "CN", "20987311", "Eaglebrook", "鹰溪", ["鷹溪"], [5],
            "5: pharmaceutical preparations for cardiovascular use", "2015-09-30", "2016-11-14", "2026-11-13", "registered"),
        new("05", "eaglebrook", "trademark", "word", "CN", "35620418", "Calmivo", "康脉舒", [], [5],
            "5: antihypertensive tablets", "2019-01-17", "2020-01-07", "2030-01-06", "registered"),
        new("06", "eaglebrook", "trademark", "word", "EM", "018554120", "Calmivo", null, [], [5],
            "5: pharmaceutical preparations", "2021-10-11", "2022-04-02", "2031-10-11", "registered"),
        new("07", "verdant", "trademark", "combined", "EM", "017902365", "Verdant", "绿原", ["VERDANT MOTORWERKE"], [12, 37],
            "12: vehicle brakes, brake pads, filters; 37: vehicle repair", "2018-06-01", "2018-11-19", "2028-06-01", "registered"),
        new("08", "verdant", "trademark", "word", "CN", "29417853", "Verdant", "绿原", [], [12],
            "12: brake pads, brake discs, oil filters for motor vehicles", "2018-02-26", "2019-04-06", "2029-04-05", "registered"),
        new("09", "verdant", "patent", "invention", "EP", "EP3721904", "Brake pad with acoustic wear indicator", "带声学磨损指示器的刹车片", [], [],
            null, "2019-08-14", "2022-12-07", "2039-08-14", "registered"),
        new("10", "verdant", "design", null, "EM", "008125563-0001", "Brake caliper housing", "制动钳壳体", [], [],
            null, "2021-03-02", "2021-03-02", "2026-03-02", "registered"),
    ];

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var now = context.Clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        foreach (var right in Rights)
        {
            var holder = OrganisationDemo.ByKey(right.Holder).Id;
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO rights (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, type, form, jurisdiction, number, number_key,
                                    name, name_zh, other_names, name_folded, name_zh_folded, other_names_folded, classes, goods, filed_on, registered_on,
                                    expires_on, status, created_at, updated_at)
                VALUES (@id, @holder, @holder, (SELECT id FROM nodes WHERE is_local), 'node', @Type, @Form, @Jurisdiction, @Number, @key,
                        @Name, @NameZh, @OtherNames, @nameFolded, @nameZhFolded, @otherFolded, @Classes, @Goods, @Filed::date, @Registered::date,
                        @Expires::date, @Status, @now, @now)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    id = RightId(right.Key),
                    holder,
                    right.Type,
                    right.Form,
                    right.Jurisdiction,
                    right.Number,
                    key = RightRules.NumberKey(right.Number),
                    right.Name,
                    right.NameZh,
                    right.OtherNames,
                    nameFolded = RightNames.Fold(right.Name),
                    nameZhFolded = right.NameZh is null ? null : RightNames.Fold(right.NameZh),
                    otherFolded = RightNames.FoldAll(right.OtherNames),
                    right.Classes,
                    right.Goods,
                    right.Filed,
                    right.Registered,
                    right.Expires,
                    right.Status,
                    now,
                },
                transaction,
                cancellationToken: cancellationToken));
        }

        foreach (var guide in Guides())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO guides (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, title, genuine_features, fake_indicators, packaging,
                                    routes, price_bands, contacts, created_at, updated_at)
                VALUES (@id, @holder, @holder, (SELECT id FROM nodes WHERE is_local), 'node', @title, @genuine, @fake, @packaging,
                        @routes::jsonb, @prices::jsonb, @contacts::jsonb, @now, @now)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    guide.id,
                    guide.holder,
                    guide.title,
                    guide.genuine,
                    guide.fake,
                    guide.packaging,
                    routes = JsonSerializer.Serialize(guide.routes, Json),
                    prices = JsonSerializer.Serialize(guide.prices, Json),
                    contacts = JsonSerializer.Serialize(guide.contacts, Json),
                    now,
                },
                transaction,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO guide_rights (guide_id, right_id) SELECT @id, unnest(@rights) ON CONFLICT DO NOTHING",
                new { guide.id, guide.rights },
                transaction,
                cancellationToken: cancellationToken));
            for (var i = 0; i < guide.parties.Length; i++)
            {
                var (role, name, address, country) = guide.parties[i];
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO guide_parties (id, guide_id, position, role, name, search_name, address, country)
                    VALUES (@partyId, @id, @i, @role, @name, @search, @address, @country) ON CONFLICT (id) DO NOTHING
                    """,
                    new { partyId = Demo(guide.id.ToString()[^2..], "07", i), guide.id, i, role, name, search = RightNames.Fold(name), address, country },
                    transaction,
                    cancellationToken: cancellationToken));
            }
        }

        // Eaglebrook's EU application for action was granted for a year and runs out in three weeks: its
        // renewal reminder is due as soon as the demo starts.
        (string Key, string Holder, string Kind, string Jurisdiction, string Reference, string[] Authorities, string[] AuthorityKeys, string Goods,
            DateOnly Filed, DateOnly From, DateOnly Until, string[] RightKeys)[] recordations =
        [
            ("01", "northwind", "recordation", "CN", "T2019-31874652", ["General Administration of Customs (GACC) 海关总署"], ["customs"],
                "Clothing, outerwear and bags bearing the Northwind / 北风 marks", new(2019, 7, 2), new(2019, 9, 1), new(2029, 6, 20), ["01", "03"]),
            ("02", "eaglebrook", "application_for_action", "EM", "DE/2025/AFA/004417", ["Nordhafen Main Customs Office 诺德港总海关"], ["partner"],
                "Antihypertensive tablets and cartons bearing the Calmivo and Eaglebrook marks", today.AddDays(-355), today.AddDays(-344), today.AddDays(21), ["05", "06"]),
            ("03", "verdant", "recordation", "CN", "T2021-29417853", ["General Administration of Customs (GACC) 海关总署"], ["customs"],
                "Brake pads, brake discs and filters bearing the Verdant / 绿原 marks", new(2021, 4, 20), new(2021, 6, 1), new(2029, 4, 5), ["08"]),
        ];
        foreach (var r in recordations)
        {
            var holder = OrganisationDemo.ByKey(r.Holder).Id;
            var id = Demo(r.Key, "05");
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO recordations (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, kind, jurisdiction, reference, authorities,
                                          authority_org_ids, goods, status, filed_on, valid_from, valid_until, created_at, updated_at)
                VALUES (@id, @holder, @holder, (SELECT id FROM nodes WHERE is_local), 'node', @Kind, @Jurisdiction, @Reference, @Authorities,
                        @authorityIds, @Goods, 'granted', @Filed, @From, @Until, @now, @now)
                ON CONFLICT (id) DO UPDATE SET filed_on = excluded.filed_on, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                    status = 'granted'
                """,
                new
                {
                    id,
                    holder,
                    r.Kind,
                    r.Jurisdiction,
                    r.Reference,
                    r.Authorities,
                    authorityIds = r.AuthorityKeys.Select(k => OrganisationDemo.ByKey(k).Id).ToArray(),
                    r.Goods,
                    r.Filed,
                    r.From,
                    r.Until,
                    now,
                },
                transaction,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO recordation_rights (recordation_id, right_id) SELECT @id, unnest(@rights) ON CONFLICT DO NOTHING",
                new { id, rights = r.RightKeys.Select(RightId).ToArray() },
                transaction,
                cancellationToken: cancellationToken));
        }

        // Northwind has Kestrel Rock act for all its rights; Verdant for its Chinese mark only.
        var agent = OrganisationDemo.ByKey("agent").Id;
        (string Key, string Holder, bool All, string[] RightKeys)[] authorisations = [("01", "northwind", true, []), ("02", "verdant", false, ["08"])];
        foreach (var a in authorisations)
        {
            var id = Demo(a.Key, "06");
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO agent_authorisations (id, holder_org_id, agent_org_id, all_rights, valid_from, valid_until, note, created_at)
                VALUES (@id, @holder, @agent, @All, @from, @until, @note, @now) ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    id,
                    holder = OrganisationDemo.ByKey(a.Holder).Id,
                    agent,
                    a.All,
                    from = today.AddDays(-200),
                    until = today.AddDays(530),
                    note = "Online enforcement and customs matters in mainland China 中国大陆线上维权及海关事务",
                    now,
                },
                transaction,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO agent_authorisation_rights (authorisation_id, right_id) SELECT @id, unnest(@rights) ON CONFLICT DO NOTHING",
                new { id, rights = a.RightKeys.Select(RightId).ToArray() },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static Guid RightId(string key) => Demo(key, "03");

    public static Guid GuideId(string key) => Demo(key, "04");

    public static Guid RecordationId(string key) => Demo(key, "05");

    private static Guid Demo(string key, string block, int sub = 0) =>
        Guid.Parse(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"00000000-0000-7000-8{sub:D3}-000000{block}00{key}"), System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<(Guid id, Guid holder, string title, Guid[] rights, string[] genuine, string[] fake, string packaging,
        object[] routes, object[] prices, object[] contacts, (string Role, string Name, string? Address, string? Country)[] parties)> Guides()
    {
        yield return (GuideId("01"), OrganisationDemo.ByKey("northwind").Id, "Storm Shell jackets 风暴壳系列夹克", [RightId("01"), RightId("02"), RightId("03")],
            [
                "Woven neck label with a laser-etched 12-digit serial; the serial verifies on the Tracemark public page. 领标为织唛，激光刻印12位序列号，可在Tracemark公开页面验证。",
                "Zip pullers engraved with an eight-point compass rose. 拉链头刻有八角罗盘图案。",
                "Seams taped inside in dark teal; the tape carries the 北风 mark every 10 cm. 内侧压胶条为深青色，每10厘米印有“北风”标识。",
            ],
            [
                "Serial printed in ink instead of etched; it rubs off with a damp cloth. 序列号为油墨印刷而非激光刻印，湿布可擦掉。",
                "Compass rose with six points. 罗盘图案只有六个角。",
                "Label spelt NORTHWlND (a lower-case L for the I). 标签拼写为NORTHWlND（用小写L冒充I）。",
            ],
            "Each jacket folded in a recycled-paper sleeve with a hologram sticker; 10 per carton, carton label with PO number and serial range. 每件夹克装于再生纸袋并贴全息贴，每箱10件，箱唛注明订单号和序列号范围。",
            [
                new { origin = "CN", destination = "NL", ports = new[] { "CNNGB", "NLRTM" }, modes = new[] { "sea" } },
                new { origin = "CN", destination = "DE", ports = new[] { "CNSHA", "DEHAM" }, modes = new[] { "sea", "rail" } },
            ],
            [
                new { product = "Storm Shell jacket (retail)", min = 899m, max = 1299m, currency = "CNY", unit = "piece" },
                new { product = "Storm Shell jacket (EU wholesale)", min = 62m, max = 85m, currency = "EUR", unit = "piece" },
            ],
            [new { name = "Brand protection desk 品牌保护部", phone = "+86 10 5555 0101", email = "brand.protection@northwind.example", hours = "Mon–Fri 08:30–18:00 CST; urgent 24/7 周一至周五 8:30–18:00，紧急情况全天", languages = new[] { "zh-CN", "en" } }],
            [
                ("manufacturer", "Lanshan Northwind Garment Factory 岚山北风服装厂", "18 Weaving Road, Lanshan Industrial Park 岚山工业园织造路18号", "CN"),
                ("exporter", "Northwind Trading (Eastport) Co., Ltd. 北风贸易（东港）有限公司", "Eastport Free Trade Zone, Building 7", "CN"),
                ("importer", "Northwind Europe B.V.", "Havenstraat 41, Rotterdam (fictitious)", "NL"),
            ]);
        yield return (GuideId("02"), OrganisationDemo.ByKey("eaglebrook").Id, "Calmivo blood-pressure tablets 康脉舒降压片", [RightId("04"), RightId("05"), RightId("06")],
            [
                "Blister foil printed with micro-text EAGLEBROOK readable under a 10x loupe. 铝箔印有微缩文字EAGLEBROOK，10倍放大镜下可见。",
                "Batch codes are EB, six digits and a check letter (e.g. EB240117K). 批号格式为EB+6位数字+校验字母（如EB240117K）。",
                "Carton carries a colour-shifting eagle hologram (green to violet). 药盒带有变色鹰形全息标（绿变紫）。",
            ],
            [
                "Batch code without the check letter, or with digits misaligned. 批号缺少校验字母或数字错位。",
                "Blister foil without micro-text; foil dull grey. 铝箔无微缩文字且颜色发灰。",
                "Shipped as \"vitamin supplements\" in express parcels. 以“维生素补充剂”名义通过快件寄递。",
            ],
            "Cartons of 30 tablets (3 blisters of 10), leaflet in Chinese and English; shipping cases of 200 cartons with tamper tape. 每盒30片（3板×10片），附中英文说明书；每箱200盒，封箱带防拆。",
            [new { origin = "CN", destination = "DE", ports = new[] { "CNPVG", "DEFRA" }, modes = new[] { "air" } }],
            [
                new { product = "Calmivo 30 tablets (retail, CN)", min = 58m, max = 72m, currency = "CNY", unit = "carton" },
                new { product = "Calmivo 30 tablets (EU pharmacy)", min = 14m, max = 19m, currency = "EUR", unit = "carton" },
            ],
            [new { name = "Pharmacovigilance and brand security 药物警戒与品牌安全部", phone = "+86 10 5555 0202", email = "security@eaglebrook.example", hours = "24/7 全天候", languages = new[] { "zh-CN", "en", "de" } }],
            [
                ("manufacturer", "Eaglebrook Pharmaceutical Co., Ltd., Lanshan plant 鹰溪制药岚山工厂", "9 Riverside Avenue, Lanshan 岚山市滨江大道9号", "CN"),
                ("exporter", "Eaglebrook International Trade Co., Ltd. 鹰溪国际贸易有限公司", "Eastport Airport Logistics Park", "CN"),
                ("importer", "Eaglebrook Pharma GmbH", "Hafenallee 12, Nordhafen (fictitious)", "DE"),
            ]);
        yield return (GuideId("03"), OrganisationDemo.ByKey("verdant").Id, "Verdant brake pads 绿原刹车片", [RightId("07"), RightId("08"), RightId("09")],
            [
                "Part number and the V-leaf logo laser-etched on the backing plate. 背板激光刻印零件号和V形叶片标志。",
                "Backing plate powder-coated green (RAL 6005). 背板喷涂绿色粉末涂层（RAL 6005）。",
                "Acoustic wear indicator clip riveted, not glued. 声学磨损指示片为铆接而非粘接。",
            ],
            [
                "Logo on a sticker rather than etched. 标志为贴纸而非刻印。",
                "Set weighs under 1.1 kg (genuine front set: 1.35–1.45 kg). 整套重量低于1.1公斤（正品前轮套装1.35–1.45公斤）。",
                "Box without the hologram seal or with German spelt wrongly (\"Bremsbelage\"). 包装盒无全息封签或德文拼写错误（“Bremsbelage”）。",
            ],
            "Printed box with hologram seal, four pads and fitting kit; 24 boxes per carton. 印刷彩盒带全息封签，内含四片刹车片及安装配件；每箱24盒。",
            [new { origin = "DE", destination = "CN", ports = new[] { "DEHAM", "CNSHA" }, modes = new[] { "sea" } }],
            [new { product = "Front brake pad set", min = 480m, max = 760m, currency = "CNY", unit = "set" }],
            [new { name = "Verdant parts authenticity line 绿原配件真伪查询", phone = "+49 40 5555 0303", email = "authenticity@verdant.example", hours = "Mon–Fri 07:00–19:00 CET 周一至周五", languages = new[] { "de", "en", "zh-CN" } }],
            [
                ("manufacturer", "Verdant Motorwerke GmbH, Werk Nordhafen", "Industriestraße 5, Nordhafen (fictitious)", "DE"),
                ("importer", "Verdant Auto Parts (Lanshan) Co., Ltd. 绿原汽车配件（岚山）有限公司", "66 Harbour Road, Eastport 东港市港湾路66号", "CN"),
                ("distributor", "Lanshan Auto Parts Wholesale Market, stall A-118 岚山汽配城A-118", null, "CN"),
            ]);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }
}
