using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Accounts;

/// <summary>
/// Every API endpoint, called anonymously and as every kind of caller, answers 401, 403 or gets
/// through, exactly as its access rule says. A new endpoint without a row in <see cref="Rules"/> fails
/// the test, so nothing reaches production unclassified.
/// </summary>
public sealed partial class AuthorisationMatrixTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private enum Access
    {
        Anyone,
        Reader,
        Writer,
        OrgAdmin,
        Auditor,
        PlatformAdmin,
        Person,

        /// <summary>Past the policy, only rights holders (and their agents) may act; the matrix's organisation is customs, so every caller is refused.</summary>
        RightsHoldersOnly,

        /// <summary>Past the policy, only platforms (their review queue, sellers, fast track); the matrix's organisation is customs, so every caller is refused.</summary>
        PlatformsOnly,
    }

    /// <summary>Route pattern → who may call it. Keep this in step with the endpoints (the test checks it is complete).</summary>
    private static readonly Dictionary<string, Access> Rules = new(StringComparer.Ordinal)
    {
        ["GET /api/v1/me"] = Access.Reader,
        ["POST /api/v1/me/password"] = Access.Person,
        ["GET /api/v1/users"] = Access.Auditor,
        ["POST /api/v1/users"] = Access.Auditor,
        ["PATCH /api/v1/users/{id:guid}"] = Access.Auditor,
        ["GET /api/v1/api-keys"] = Access.OrgAdmin,
        ["POST /api/v1/api-keys"] = Access.OrgAdmin,
        ["DELETE /api/v1/api-keys/{id:guid}"] = Access.OrgAdmin,
        ["GET /api/v1/organisations/"] = Access.Reader,
        ["POST /api/v1/organisations/"] = Access.PlatformAdmin,
        ["PATCH /api/v1/organisations/{id:guid}"] = Access.PlatformAdmin,
        ["GET /api/v1/sharing-groups/"] = Access.Reader,
        ["GET /api/v1/sharing-groups/{id:guid}"] = Access.Reader,
        ["POST /api/v1/sharing-groups/"] = Access.OrgAdmin,
        ["PATCH /api/v1/sharing-groups/{id:guid}"] = Access.OrgAdmin,
        ["PUT /api/v1/sharing-groups/{id:guid}/members/{organisationId:guid}"] = Access.OrgAdmin,
        ["DELETE /api/v1/sharing-groups/{id:guid}/members/{organisationId:guid}"] = Access.OrgAdmin,
        ["GET /api/v1/audit"] = Access.Auditor,
        ["GET /api/v1/alerts/"] = Access.Reader,
        ["GET /api/v1/alerts/{id:guid}"] = Access.Reader,
        ["POST /api/v1/alerts/"] = Access.Writer,
        ["PATCH /api/v1/alerts/{id:guid}"] = Access.Writer,
        ["POST /api/v1/screening/"] = Access.Reader,
        ["POST /api/v1/screening/stream"] = Access.Reader,
        ["GET /api/v1/screening/status"] = Access.Reader,
        ["GET /api/v1/screening/risk-terms"] = Access.Reader,
        ["PUT /api/v1/screening/risk-terms"] = Access.PlatformAdmin,
        ["DELETE /api/v1/screening/risk-terms"] = Access.PlatformAdmin,
        ["PUT /api/v1/screening/marks/{rightId:guid}/exclusions"] = Access.Writer,
        ["GET /api/v1/calendars/"] = Access.Reader,
        ["GET /api/v1/calendars/{code}/days"] = Access.Reader,
        ["GET /api/v1/calendars/{code}/deadline"] = Access.Reader,
        ["PUT /api/v1/calendars/{code}/days/{day}"] = Access.PlatformAdmin,
        ["DELETE /api/v1/calendars/{code}/days/{day}"] = Access.PlatformAdmin,
        ["PATCH /api/v1/calendars/{code}"] = Access.PlatformAdmin,
        ["GET /api/v1/notifications/"] = Access.Reader,
        ["GET /api/v1/notifications/unread-count"] = Access.Reader,
        ["POST /api/v1/notifications/{id:guid}/read"] = Access.Reader,
        ["POST /api/v1/notifications/read"] = Access.Reader,
        ["GET /api/v1/rights/"] = Access.Reader,
        ["GET /api/v1/rights/export"] = Access.Reader,
        ["POST /api/v1/rights/"] = Access.RightsHoldersOnly,
        ["GET /api/v1/rights/{id:guid}"] = Access.Reader,
        ["PATCH /api/v1/rights/{id:guid}"] = Access.Writer,
        ["GET /api/v1/rights/{id:guid}/image"] = Access.Reader,
        ["PUT /api/v1/rights/{id:guid}/image"] = Access.Writer,
        ["GET /api/v1/rights/{id:guid}/documents"] = Access.Reader,
        ["POST /api/v1/rights/{id:guid}/documents"] = Access.Writer,
        ["GET /api/v1/rights/{id:guid}/documents/{documentId:guid}"] = Access.Reader,
        ["GET /api/v1/rights/{id:guid}/may-act"] = Access.Reader,
        ["POST /api/v1/rights/import"] = Access.RightsHoldersOnly,
        ["GET /api/v1/guides/"] = Access.Reader,
        ["POST /api/v1/guides/"] = Access.Writer,
        ["GET /api/v1/guides/{id:guid}"] = Access.Reader,
        ["PATCH /api/v1/guides/{id:guid}"] = Access.Writer,
        ["POST /api/v1/guides/{id:guid}/pictures"] = Access.Writer,
        ["GET /api/v1/guides/{id:guid}/pictures/{pictureId:guid}"] = Access.Reader,
        ["GET /api/v1/recordations/"] = Access.Reader,
        ["POST /api/v1/recordations/"] = Access.Writer,
        ["GET /api/v1/recordations/{id:guid}"] = Access.Reader,
        ["PATCH /api/v1/recordations/{id:guid}"] = Access.Writer,
        ["GET /api/v1/agent-authorisations/"] = Access.Reader,
        ["POST /api/v1/agent-authorisations/"] = Access.RightsHoldersOnly,
        ["DELETE /api/v1/agent-authorisations/{id:guid}"] = Access.OrgAdmin,
        ["POST /api/v1/customs/imports"] = Access.Writer,
        ["GET /api/v1/customs/imports"] = Access.Reader,
        ["GET /api/v1/customs/imports/{id:guid}"] = Access.Reader,
        ["GET /api/v1/customs/worklist"] = Access.Reader,
        ["GET /api/v1/customs/lines/{id:guid}"] = Access.Reader,
        ["POST /api/v1/customs/lines/{id:guid}/dismiss"] = Access.Writer,
        ["GET /api/v1/customs/detentions"] = Access.Reader,
        ["POST /api/v1/customs/detentions"] = Access.Writer,
        ["GET /api/v1/customs/detentions/{id:guid}"] = Access.Reader,
        ["PATCH /api/v1/customs/detentions/{id:guid}"] = Access.Writer,
        ["POST /api/v1/customs/detentions/{id:guid}/actions"] = Access.Writer,
        ["POST /api/v1/customs/detentions/{id:guid}/response"] = Access.RightsHoldersOnly,
        ["POST /api/v1/customs/detentions/{id:guid}/evidence"] = Access.Writer,
        ["GET /api/v1/customs/detentions/{id:guid}/evidence/{evidenceId:guid}"] = Access.Reader,
        ["POST /api/v1/customs/detentions/{id:guid}/costs"] = Access.Writer,
        ["GET /api/v1/customs/detentions/{id:guid}/package"] = Access.Reader,
        ["GET /api/v1/customs/statistics"] = Access.Reader,
        ["GET /api/v1/customs/presets"] = Access.Reader,
        ["PUT /api/v1/customs/presets/{code}/periods/{timer}"] = Access.PlatformAdmin,
        ["GET /api/v1/customs/rates"] = Access.Reader,
        ["PUT /api/v1/customs/rates/{currency}"] = Access.PlatformAdmin,
        ["GET /api/v1/evidence/"] = Access.Reader,
        ["POST /api/v1/evidence/"] = Access.Writer,
        ["GET /api/v1/evidence/{id:guid}"] = Access.Reader,
        ["GET /api/v1/evidence/{id:guid}/file"] = Access.Reader,
        ["POST /api/v1/evidence/{id:guid}/custody-events"] = Access.Writer,
        ["POST /api/v1/evidence/custody-events"] = Access.Writer,
        ["GET /api/v1/evidence/{sha256}/receipt"] = Access.Reader,
        ["GET /api/v1/complaints/notices"] = Access.Reader,
        ["POST /api/v1/complaints/notices"] = Access.Writer,
        ["GET /api/v1/complaints/notices/{id:guid}"] = Access.Reader,
        ["GET /api/v1/complaints/notices/{id:guid}/files/{sha256}"] = Access.Reader,
        ["POST /api/v1/complaints/notices/{id:guid}/decision"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/counter-notice"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/forward"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/filed-action"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/appeal"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/appeal-decision"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/withdraw"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/finding"] = Access.Writer,
        ["POST /api/v1/complaints/notices/{id:guid}/seller-link"] = Access.Writer,
        ["GET /api/v1/complaints/queue"] = Access.PlatformsOnly,
        ["POST /api/v1/complaints/files"] = Access.Writer,
        ["GET /api/v1/complaints/statistics"] = Access.Reader,
        ["GET /api/v1/complaints/jurisdictions"] = Access.Reader,
        ["GET /api/v1/complaints/jurisdictions/{code}"] = Access.Reader,
        ["PATCH /api/v1/complaints/jurisdictions/{code}"] = Access.PlatformAdmin,
        ["GET /api/v1/complaints/platforms"] = Access.Reader,
        ["GET /api/v1/complaints/platforms/{id:guid}"] = Access.Reader,
        ["PUT /api/v1/complaints/platforms/{id:guid}"] = Access.PlatformAdmin,
        ["GET /api/v1/complaints/sellers"] = Access.PlatformsOnly,
        ["POST /api/v1/complaints/recommendations/{id:guid}/resolve"] = Access.Writer,
        ["GET /api/v1/complaints/accuracy"] = Access.Reader,
        ["GET /api/v1/complaints/fast-track"] = Access.Reader,
        ["PUT /api/v1/complaints/fast-track/{complainantId:guid}"] = Access.PlatformsOnly,
        ["DELETE /api/v1/complaints/fast-track/{complainantId:guid}"] = Access.PlatformsOnly,
        ["GET /api/v1/webhooks/"] = Access.OrgAdmin,
        ["PUT /api/v1/webhooks/"] = Access.OrgAdmin,
        ["DELETE /api/v1/webhooks/"] = Access.OrgAdmin,
        ["GET /api/v1/webhooks/deliveries"] = Access.OrgAdmin,
        ["GET /api/v1/ledger/public-key"] = Access.Anyone,
        ["GET /api/v1/ledger/tree-head"] = Access.Anyone,
        ["GET /api/v1/ledger/tree-heads/{treeSize}"] = Access.Anyone,
        ["GET /api/v1/ledger/consistency"] = Access.Anyone,
        ["GET /api/v1/ledger/inclusion"] = Access.Anyone,
    };

    private static readonly string[] Callers = ["anonymous", "viewer", "officer", "org_admin", "platform_admin", "key_read", "key_write"];

    [Fact]
    public void Every_API_endpoint_has_an_access_rule()
    {
        var endpoints = ApiEndpoints();
        Assert.NotEmpty(endpoints);
        var missing = endpoints.Where(e => !Rules.ContainsKey(e)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an access rule in the matrix: " + string.Join(", ", missing));
        var stale = Rules.Keys.Where(k => !endpoints.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "Matrix rows for endpoints that no longer exist: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_its_rule_says()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal)
        {
            ["anonymous"] = factory.CreateClient(),
            ["viewer"] = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.Viewer)),
            ["officer"] = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.Officer)),
            ["org_admin"] = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.OrgAdmin)),
            ["platform_admin"] = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.Viewer, platformAdmin: true)),
            ["key_read"] = factory.ApiClient(await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read])),
            ["key_write"] = factory.ApiClient(await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read, ApiScopes.Write])),
        };

        var failures = new List<string>();
        foreach (var (endpoint, access) in Rules)
        {
            foreach (var caller in Callers)
            {
                var expected = Expected(access, caller);
                var status = await CallAsync(clients[caller], endpoint);
                var ok = expected switch
                {
                    HttpStatusCode.OK => status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)status < 500,
                    _ => status == expected,
                };
                if (!ok)
                {
                    failures.Add($"{endpoint} as {caller}: expected {(expected == HttpStatusCode.OK ? "to get through" : ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture))}, got {(int)status}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static HttpStatusCode Expected(Access access, string caller)
    {
        if (caller == "anonymous")
        {
            return access == Access.Anyone ? HttpStatusCode.OK : HttpStatusCode.Unauthorized;
        }

        var allowed = access switch
        {
            Access.Anyone or Access.Reader => true,
            Access.Writer => caller is "officer" or "org_admin" or "key_write",
            Access.OrgAdmin => caller == "org_admin",
            Access.Auditor => caller is "org_admin" or "platform_admin",
            Access.PlatformAdmin => caller == "platform_admin",
            Access.Person => !caller.StartsWith("key_", StringComparison.Ordinal),
            Access.RightsHoldersOnly or Access.PlatformsOnly => false,
            _ => false,
        };
        return allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        var method = endpoint[..space];
        var path = GuidParameter().Replace(endpoint[(space + 1)..], _ => Guid.NewGuid().ToString())
            .Replace("{code}", "CN", StringComparison.Ordinal)
            .Replace("{day}", "2026-06-01", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PATCH" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[A-Za-z]+:guid\}", System.Text.RegularExpressions.RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex GuidParameter();

    private List<string> ApiEndpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
