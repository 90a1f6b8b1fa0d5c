using Npgsql;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Organisations;

/// <summary>A fictitious organisation of the demo data set. Keys are stable so other seeders can refer to them.</summary>
public sealed record DemoOrganisation(string Key, Guid Id, OrganisationKind Kind, string NameEn, string NameZh, string Country, bool OnPartnerNode = false);

/// <summary>
/// The demo's cast, modelled on the agencies in the founding documents (customs, market regulation,
/// public security, IP protection centres, courts, mediation, platforms, rights holders and a customs
/// office abroad). Every name is invented; none is a real company, brand or agency.
/// </summary>
public sealed class OrganisationDemo : IDemoSeeder
{
    /// <summary>A federated node abroad, so the foreign partner really is on another node.</summary>
    public static readonly Guid PartnerNodeId = Guid.Parse("00000000-0000-7000-8000-0000000000a2");

    public static readonly IReadOnlyList<DemoOrganisation> All =
    [
        new("coordination", Demo("01"), OrganisationKind.CoordinatingOffice, "Lanshan IPR Protection Coordination Office", "岚山市知识产权保护工作协调办公室", "CN"),
        new("customs", Demo("02"), OrganisationKind.Customs, "Eastport Customs District", "东港海关", "CN"),
        new("regulator", Demo("03"), OrganisationKind.MarketRegulator, "Lanshan Administration for Market Regulation", "岚山市市场监督管理局", "CN"),
        new("police", Demo("04"), OrganisationKind.Police, "Lanshan Public Security Bureau, IP Crime Investigation Unit", "岚山市公安局知识产权犯罪侦查支队", "CN"),
        new("ipcentre", Demo("05"), OrganisationKind.IpOffice, "Lanshan Intellectual Property Protection Centre", "岚山市知识产权保护中心", "CN"),
        new("court", Demo("06"), OrganisationKind.Court, "Lanshan Intermediate People's Court, IP Tribunal", "岚山市中级人民法院知识产权审判庭", "CN"),
        new("mediation", Demo("07"), OrganisationKind.MediationBody, "Lanshan IP Dispute Mediation Centre", "岚山知识产权纠纷人民调解委员会", "CN"),
        new("platform", Demo("08"), OrganisationKind.Platform, "Shopwell Marketplace", "善购商城", "CN"),
        new("northwind", Demo("09"), OrganisationKind.RightsHolder, "Northwind Apparel Co., Ltd.", "北风服饰有限公司", "CN"),
        new("eaglebrook", Demo("10"), OrganisationKind.RightsHolder, "Eaglebrook Pharmaceutical Co., Ltd.", "鹰溪制药股份有限公司", "CN"),
        new("verdant", Demo("11"), OrganisationKind.RightsHolder, "Verdant Motorwerke GmbH", "绿原汽车有限公司", "DE"),
        new("partner", Demo("12"), OrganisationKind.ForeignPartner, "Nordhafen Main Customs Office", "诺德港总海关", "DE", OnPartnerNode: true),
        new("agent", Demo("13"), OrganisationKind.Agent, "Kestrel Rock IP Agency Co., Ltd.", "隼岩知识产权代理有限公司", "CN"),
    ];

    public int Order => 0;

    public string Name => "organisations";

    public static DemoOrganisation ByKey(string key) => All.Single(o => string.Equals(o.Key, key, StringComparison.Ordinal));

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var node = new NpgsqlCommand(
            """
            INSERT INTO nodes (id, code, name_en, name_zh, is_local)
            VALUES ($1, 'nordhafen', 'Nordhafen customs node (demo partner)', '诺德港海关节点（演示伙伴）', false)
            ON CONFLICT (id) DO NOTHING
            """,
            connection,
            transaction))
        {
            node.Parameters.AddWithValue(PartnerNodeId);
            await node.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var organisation in All)
        {
            await using var upsert = new NpgsqlCommand(
                """
                INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country)
                VALUES ($1, CASE WHEN $6 THEN $7 ELSE (SELECT id FROM nodes WHERE is_local) END, $2, $3, $4, $5)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name_en = excluded.name_en, name_zh = excluded.name_zh,
                    country = excluded.country, updated_at = now()
                WHERE (organisations.kind, organisations.name_en, organisations.name_zh, organisations.country)
                    IS DISTINCT FROM (excluded.kind, excluded.name_en, excluded.name_zh, excluded.country)
                """,
                connection,
                transaction);
            upsert.Parameters.AddWithValue(organisation.Id);
            upsert.Parameters.AddWithValue(organisation.Kind.ToWire());
            upsert.Parameters.AddWithValue(organisation.NameEn);
            upsert.Parameters.AddWithValue(organisation.NameZh);
            upsert.Parameters.AddWithValue(organisation.Country);
            upsert.Parameters.AddWithValue(organisation.OnPartnerNode);
            upsert.Parameters.AddWithValue(PartnerNodeId);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Guid Demo(string suffix) => Guid.Parse("00000000-0000-7000-8000-0000000001" + suffix);
}

public static class OrganisationsSetup
{
    public static WebApplicationBuilder AddOrganisations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IDemoSeeder, OrganisationDemo>();
        builder.Services.AddScoped<OrganisationStore>();
        builder.Services.AddNavigation("/admin/organisations", "nav.organisations", "manage_organisations", 95);
        return builder;
    }

    public static WebApplication MapOrganisations(this WebApplication app)
    {
        var organisations = app.MapGroup("/api/v1/organisations").WithTags("Organisations");
        organisations.MapGet("/", (string? kind, string? q, OrganisationStore store, CancellationToken cancellationToken) => store.ListAsync(kind, q, cancellationToken))
            .WithSummary("The directory of organisations on this node and its partners.");
        organisations.MapPost("/", async (NewOrganisation body, OrganisationStore store, CancellationToken cancellationToken) =>
        {
            var organisation = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/organisations/{organisation.Id}", organisation);
        }).RequireAuthorization(Platform.Security.Policies.PlatformAdmin).WithSummary("Register an organisation (platform administrator).");
        organisations.MapPatch("/{id:guid}", (Guid id, OrganisationChange body, OrganisationStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Platform.Security.Policies.PlatformAdmin).WithSummary("Rename, move or deactivate an organisation (platform administrator).");
        return app;
    }
}
