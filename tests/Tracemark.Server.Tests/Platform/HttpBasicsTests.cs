using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Tracemark.Server.Tests.Platform;

/// <summary>What every HTTP client can rely on: health, problem details for every error, languages, headers, OpenAPI.</summary>
public sealed class HttpBasicsTests(HttpBasicsTests.Factory factory) : IClassFixture<HttpBasicsTests.Factory>
{
    [Fact]
    public async Task Health_answers_healthy_when_the_database_answers()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"healthy"}""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("GET", "/api/v1/no-such-thing", 404, "route.not_found")]
    [InlineData("GET", "/no-such-page", 404, "route.not_found")]
    [InlineData("DELETE", "/healthz", 405, "route.method_not_allowed")]
    [InlineData("POST", "/openapi/v1.json", 405, "route.method_not_allowed")]
    public async Task Every_error_status_is_a_problem_detail(string method, string path, int status, string code)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await ReadProblemAsync(response, status);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(path, problem.GetProperty("instance").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_without_internals()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/test/throw", TestContext.Current.CancellationToken);
        var problem = await ReadProblemAsync(response, 500);
        var body = problem.GetRawText();
        Assert.Equal("server.error", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("secret-internal-detail", body, StringComparison.Ordinal);
        Assert.DoesNotContain("at Tracemark", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zh-CN", "资源不存在")]
    [InlineData("zh-TW,zh;q=0.9", "资源不存在")]
    [InlineData("zh-Hans-CN", "资源不存在")]
    [InlineData("en-GB,en;q=0.8", "No such resource")]
    [InlineData("fr-FR", "No such resource")]
    [InlineData("fr-FR,zh;q=0.5", "资源不存在")]
    [InlineData("", "No such resource")]
    public async Task Problems_speak_the_callers_language(string acceptLanguage, string expectedTitle)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nothing-here");
        if (acceptLanguage.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await ReadProblemAsync(response, 404);
        Assert.Equal(expectedTitle, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_language_cookie_wins_over_the_browser_header()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nothing-here");
        request.Headers.TryAddWithoutValidation("Accept-Language", "en");
        request.Headers.TryAddWithoutValidation("Cookie", ".Tracemark.Language=c%3Dzh-CN%7Cuic%3Dzh-CN");
        var problem = await ReadProblemAsync(await client.SendAsync(request, TestContext.Current.CancellationToken), 404);
        Assert.Equal("资源不存在", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_browser_gets_an_error_page_in_its_language_not_json()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html");
        request.Headers.TryAddWithoutValidation("Accept-Language", "zh-CN");
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("页面不存在", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/login", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/healthz", out _));
    }

    internal static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        Assert.Equal(status, document.RootElement.GetProperty("status").GetInt32());
        return document.RootElement.Clone();
    }

    /// <summary>Adds an endpoint that fails the way a bug would, inside the real pipeline.</summary>
    public sealed class Factory : TracemarkFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ThrowingEndpoint>());
        }

        private sealed class ThrowingEndpoint : Microsoft.AspNetCore.Hosting.IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                next(app);
                app.Map("/test/throw", branch => branch.Run(_ => throw new InvalidOperationException("secret-internal-detail")));
            };
        }
    }
}
