using Dapper;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Alerts;

/// <summary>A handful of alerts at different distribution levels, so the demo shows who sees what.</summary>
public sealed class AlertsDemo : IDemoSeeder
{
    public int Order => 30;

    public string Name => "alerts";

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var now = context.Clock.GetUtcNow();
        (string Key, string Org, string Level, string Severity, string Title, string Body, string Category, string[] Origin, string[] Destination)[] alerts =
        [
            ("a1", "customs", "node", "high", "Counterfeit blood-pressure tablets in express parcels 快件夹带假冒降压药",
                "Three express consignments declared as 'vitamin supplements' held blister packs bearing the Eaglebrook mark with misprinted batch codes. Declarant addresses repeat across consignments.",
                "pharmaceuticals", ["CN"], ["DE", "NL"]),
            ("a2", "police", "organisation", "critical", "Workshop suspected of printing Northwind labels 疑似印制北风服饰标签的窝点",
                "Informant reports a label-printing workshop in an industrial park; surveillance under way. Not to be shared before the operation.",
                "apparel", ["CN"], []),
            ("a3", "coordination", "partners", "medium", "Joint campaign: counterfeit auto parts before the holiday season 联合行动：节前假冒汽车配件",
                "Partners are asked to report seizures of brake pads and filters bearing the Verdant mark to the coordination office during the campaign.",
                "auto parts", ["CN", "TR"], ["DE", "PL"]),
            ("a4", "northwind", "public", "low", "How to recognise genuine Northwind jackets 如何识别正品北风夹克",
                "Genuine jackets carry a woven neck label with a laser-etched serial and a QR code that verifies on the Tracemark public page.",
                "apparel", [], []),
        ];
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        foreach (var alert in alerts)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, title, body, product_category, origin_countries,
                                    destination_countries, severity, created_at, updated_at)
                VALUES (@id, @owner, (SELECT id FROM nodes WHERE is_local), @Level, @Title, @Body, @Category, @Origin, @Destination, @Severity, @now, @now)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    id = DemoId(alert.Key),
                    owner = OrganisationDemo.ByKey(alert.Org).Id,
                    alert.Level,
                    alert.Title,
                    alert.Body,
                    alert.Category,
                    alert.Origin,
                    alert.Destination,
                    alert.Severity,
                    now,
                },
                cancellationToken: cancellationToken));
        }
    }

    private static Guid DemoId(string key) => Guid.Parse("00000000-0000-7000-8000-0000000002" + key[1..].PadLeft(2, '0'));
}
