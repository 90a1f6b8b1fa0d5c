using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Rights;

/// <summary>
/// Identification guides are for the holder, its agents and enforcement organisations only: checked in
/// SQL as the application's role with no WHERE clause, and through the API with pictures.
/// </summary>
public sealed class GuideVisibilityTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public static TheoryData<OrganisationKind, bool> WhoSeesANodeWideGuide => new()
    {
        { OrganisationKind.Customs, true },
        { OrganisationKind.MarketRegulator, true },
        { OrganisationKind.Police, true },
        { OrganisationKind.Prosecutor, true },
        { OrganisationKind.Court, true },
        { OrganisationKind.IpOffice, true },
        { OrganisationKind.CoordinatingOffice, true },
        { OrganisationKind.Platform, false },
        { OrganisationKind.RightsHolder, false },
        { OrganisationKind.Agent, false },
        { OrganisationKind.MediationBody, false },
    };

    [Theory]
    [MemberData(nameof(WhoSeesANodeWideGuide))]
    public async Task In_SQL_a_guide_is_visible_to_enforcement_and_the_owner_only(OrganisationKind kind, bool sees)
    {
        var (owner, guide) = await OwnerWithGuideAsync("node");
        var other = await Seed.OrganisationAsync(factory, kind);

        Assert.Equal(sees, await CountGuidesAsAsync(other, kind, local: true, guide) == 1);
        Assert.Equal(1, await CountGuidesAsAsync(owner, OrganisationKind.RightsHolder, local: true, guide));
        Assert.Equal(0, await CountGuidesAsAsync(null, null, local: false, guide));
    }

    [Fact]
    public async Task In_SQL_distribution_limits_enforcement_too_and_public_is_refused()
    {
        var (_, ownOnly) = await OwnerWithGuideAsync("organisation");
        var (_, partners) = await OwnerWithGuideAsync("partners");
        var customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var abroad = await Seed.OrganisationAsync(factory, OrganisationKind.ForeignPartner, onPartnerNode: true);

        Assert.Equal(0, await CountGuidesAsAsync(customs, OrganisationKind.Customs, local: true, ownOnly));
        Assert.Equal(1, await CountGuidesAsAsync(abroad, OrganisationKind.ForeignPartner, local: false, partners));

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE guides SET distribution = 'public' WHERE id = @partners", new { partners }));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task In_SQL_an_agent_sees_the_guides_of_a_holder_it_represents_while_the_authorisation_is_in_force()
    {
        var (owner, guide) = await OwnerWithGuideAsync("organisation");
        var agent = await Seed.OrganisationAsync(factory, OrganisationKind.Agent);
        await using (var connection = await factory.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO agent_authorisations (id, holder_org_id, agent_org_id, all_rights, valid_from, valid_until, created_at) VALUES (@id, @owner, @agent, true, '2026-01-01', '2026-06-30', now())",
                new { id = Guid.CreateVersion7(), owner, agent });
        }

        Assert.Equal(1, await CountGuidesAsAsync(agent, OrganisationKind.Agent, local: true, guide, now: "2026-03-02T09:00:00Z"));
        Assert.Equal(0, await CountGuidesAsAsync(agent, OrganisationKind.Agent, local: true, guide, now: "2026-07-01T00:00:00Z"));
    }

    [Fact]
    public async Task Through_the_API_customs_sees_the_guide_and_its_picture_and_a_platform_sees_neither()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var platform = await OrgAsync(factory, OrganisationKind.Platform);
        var right = await CreateRightAsync(holder.Client, Trademark("60000001", "Guidemark", "指南标"));
        var guide = await PostAsync(holder.Client, "/api/v1/guides", new
        {
            rightIds = new[] { right.GetProperty("id").GetGuid() },
            title = "Guidemark sneakers 指南标运动鞋",
            genuineFeatures = new[] { "Stitched heel tab 后跟缝制标签" },
            fakeIndicators = new[] { "Glued heel tab 后跟标签为胶粘" },
            parties = new[] { new { role = "进口商", name = "Guidemark Europe GmbH", country = "de" } },
            routes = new[] { new { origin = "CN", destination = "DE", ports = new[] { "CNNGB", "DEHAM" }, modes = new[] { "海运" } } },
            priceBands = new[] { new { product = "Sneaker", min = 89.0, max = 129.0, currency = "eur", unit = "pair" } },
            contacts = new[] { new { name = "Brand desk", phone = "+49 40 5555 0000", hours = "9–17", languages = new[] { "de", "en" } } },
        });
        var id = guide.GetProperty("id").GetString();
        Assert.Equal("importer", guide.GetProperty("parties")[0].GetProperty("role").GetString());
        Assert.Equal("sea", guide.GetProperty("routes")[0].GetProperty("modes")[0].GetString());
        Assert.Equal("EUR", guide.GetProperty("priceBands")[0].GetProperty("currency").GetString());

        var upload = await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File(TestImages.Png(200, 30, 30), "heel.png", "application/octet-stream", ("kind", "genuine"), ("caption", "Heel tab 后跟")), _ct);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var picture = await upload.Content.ReadFromJsonAsync<JsonElement>(_ct);
        var url = picture.GetProperty("url").GetString()!;

        var seen = await GetAsync(customs.Client, $"/api/v1/guides/{id}");
        Assert.Equal("Guidemark sneakers 指南标运动鞋", seen.GetProperty("title").GetString());
        var image = await customs.Client.GetAsync(url, _ct);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestImages.Png(200, 30, 30), await image.Content.ReadAsByteArrayAsync(_ct));
        Assert.Single((await GetAsync(customs.Client, $"/api/v1/guides?rightId={right.GetProperty("id").GetString()}")).EnumerateArray());

        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client.GetAsync($"/api/v1/guides/{id}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.Client.GetAsync(url, _ct)).StatusCode);
        Assert.Empty((await GetAsync(platform.Client, "/api/v1/guides")).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await platform.Client.GetAsync($"/api/v1/rights/{right.GetProperty("id").GetString()}", _ct)).StatusCode);

        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'guide.picture.read' AND organisation_id = @customs", new { customs = customs.Id }));
    }

    [Theory]
    [InlineData("""{"rightIds":[],"title":"t"}""", "rightIds", "guide.rights_required")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","distribution":"public"}""", "distribution", "guide.never_public")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","priceBands":[{"min":10,"max":5,"currency":"CNY"}]}""", "priceBands[0].max", "guide.price_below_min")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","priceBands":[{"min":1,"max":5,"currency":"RMB"}]}""", "priceBands[0].currency", "currency.unknown")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","parties":[{"role":"smuggler","name":"x"}]}""", "parties[0].role", "guide.role_unknown")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","routes":[{"origin":"ZZ"}]}""", "routes[0].origin", "country.unknown")]
    [InlineData("""{"rightIds":["RIGHT"],"title":"t","contacts":[{"name":"Desk"}]}""", "contacts[0].phone", "guide.contact_unreachable")]
    [InlineData("""{"rightIds":["RIGHT"],"title":""}""", "title", "required")]
    public async Task Bad_guides_are_refused_naming_the_field(string body, string field, string code)
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var right = await CreateRightAsync(holder.Client, Trademark(Guid.NewGuid().ToString("N")[..10], "Badguide"));
        var before = await CountAsync(factory, "guides");

        var response = await holder.Client.PostAsync("/api/v1/guides", Json(body.Replace("RIGHT", right.GetProperty("id").GetString(), StringComparison.Ordinal)), _ct);

        await AssertFieldErrorAsync(response, field, code);
        Assert.Equal(before, await CountAsync(factory, "guides"));
    }

    [Fact]
    public async Task Pictures_are_sniffed_not_trusted_and_stored_once()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var right = await CreateRightAsync(holder.Client, Trademark("60000002", "Picturemark"));
        var guide = await PostAsync(holder.Client, "/api/v1/guides", new { rightIds = new[] { right.GetProperty("id").GetGuid() }, title = "Pictures" });
        var id = guide.GetProperty("id").GetString();

        var script = await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File("<script>alert(1)</script>"u8.ToArray(), "evil.png", "image/png"), _ct);
        await AssertFieldErrorAsync(script, "file", "file.type_not_allowed");
        var empty = await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File([], "empty.png", "image/png"), _ct);
        await AssertFieldErrorAsync(empty, "file", "file.empty");
        var huge = new byte[(10 * 1024 * 1024) + 1];
        TestImages.Png(1, 1, 1).CopyTo(huge, 0);
        await AssertFieldErrorAsync(await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File(huge, "huge.png", "image/png"), _ct), "file", "file.too_large");

        var png = TestImages.Png(10, 200, 10);
        Assert.Equal(HttpStatusCode.Created, (await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File(png, "a.png", "image/png"), _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await holder.Client.PostAsync($"/api/v1/guides/{id}/pictures", File(png, "b.png", "image/png", ("kind", "fake")), _ct)).StatusCode);

        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png));
        var path = Path.Combine(factory.DataFolder, "blobs", sha[..2], sha[2..4], sha);
        Assert.Equal(png, await System.IO.File.ReadAllBytesAsync(path, _ct));
        Assert.Empty(Directory.GetFiles(Path.Combine(factory.DataFolder, "blobs", "tmp")));
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM blobs WHERE sha256 = @sha", new { sha }));
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM guide_pictures WHERE sha256 = @sha", new { sha }));
    }

    private async Task<(Guid Owner, Guid Guide)> OwnerWithGuideAsync(string distribution)
    {
        var owner = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var guide = Guid.CreateVersion7();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO guides (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, title, created_at, updated_at)
            VALUES (@guide, @owner, @owner, (SELECT id FROM nodes WHERE is_local), @distribution, 'SQL guide', now(), now())
            """,
            new { guide, owner, distribution });
        return (owner, guide);
    }

    /// <summary>How many rows of guides a caller sees for one guide, as tracemark_app with the settings the server sets, and no WHERE on visibility.</summary>
    private async Task<long> CountGuidesAsAsync(Guid? organisation, OrganisationKind? kind, bool local, Guid guide, string now = "")
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(_ct);
        await connection.ExecuteAsync(
            """
            SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true), set_config('tracemark.org_local', @local, true),
                   set_config('tracemark.org_kind', @kind, true), set_config('tracemark.now', @now, true)
            """,
            new { org = organisation?.ToString() ?? "", local = local ? "on" : "off", kind = kind?.ToWire() ?? "", now },
            transaction);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM guides WHERE id = @guide", new { guide }, transaction);
    }
}
