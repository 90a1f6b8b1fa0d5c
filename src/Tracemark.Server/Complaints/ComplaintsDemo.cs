using Dapper;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Complaints;

/// <summary>
/// The demo platform takes notices: Shopwell Marketplace under the PRC rules, for listings on its invented
/// domain, with Northwind Apparel on its fast track. Notices are filed through the pages or the API.
/// </summary>
public sealed class ComplaintsDemo : IDemoSeeder
{
    public const string Domain = "shopwell.example";

    public int Order => 50;

    public string Name => "complaint platforms";

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var now = context.Clock.GetUtcNow();
        var platform = OrganisationDemo.ByKey("platform").Id;
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, updated_at) VALUES (@platform, 'CN', @domains, @now)
            ON CONFLICT (organisation_id) DO NOTHING;
            INSERT INTO complaint_fast_track (platform_org_id, complainant_org_id, granted_at) VALUES (@platform, @northwind, @now)
            ON CONFLICT (platform_org_id, complainant_org_id) DO NOTHING;
            """,
            new { platform, domains = new[] { Domain }, northwind = OrganisationDemo.ByKey("northwind").Id, now },
            cancellationToken: cancellationToken));
    }
}
