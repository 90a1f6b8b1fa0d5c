using System.Net;
using System.Text.Json;

namespace Tracemark.Server.Tests.Platform;

public sealed class HealthWithoutDatabaseTests
{
    [Fact]
    public async Task Health_answers_503_when_the_database_is_gone()
    {
        await using var factory = new TracemarkFactory();
        await factory.InitializeAsync();
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);

        var postgres = await TestPostgres.SharedAsync();
        await postgres.DropDatabaseAsync(factory.ConnectionString);

        var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("unhealthy", problem.RootElement.GetProperty("health").GetString());
    }
}
