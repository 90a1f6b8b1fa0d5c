using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tracemark.Cli.Tests;

/// <summary>`tracemark serve` with the embedded default, end to end: start, serve, stop on SIGTERM, restart.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "tracemark-serve-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Serves_until_SIGTERM_then_stops_its_PostgreSQL_and_a_restart_finds_the_same_data()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string?> { ["TRACEMARK_DATA"] = _data, ["TRACEMARK_URLS"] = url };

        for (var run = 1; run <= 2; run++)
        {
            using var server = CliProcess.Start(["serve"], environment);
            var output = server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            try
            {
                await WaitForHealthyAsync(url, server);
                Assert.True(File.Exists(Path.Combine(_data, "postgres", "postmaster.pid")));

                // The pages live in the server assembly, not in the command's: they must be found all the same.
                using (var http = new HttpClient())
                {
                    var login = await http.GetAsync(url + "/login?lang=zh-CN", TestContext.Current.CancellationToken);
                    Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                    Assert.Contains("登录", await login.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
                    var css = await http.GetAsync(url + "/css/site.css", TestContext.Current.CancellationToken);
                    Assert.Equal(HttpStatusCode.OK, css.StatusCode);
                }

                CliProcess.Terminate(server);
                using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await server.WaitForExitAsync(stopped.Token);
                Assert.True(server.ExitCode == 0, await errors);
                Assert.False(File.Exists(Path.Combine(_data, "postgres", "postmaster.pid")), "PostgreSQL still runs after the server stopped");
                var log = await output;
                Assert.Contains($"Tracemark is ready at {url}", log, StringComparison.Ordinal);
                Assert.Contains(run == 1 ? "Creating the embedded PostgreSQL cluster" : "listening on 127.0.0.1", log, StringComparison.Ordinal);
                if (run == 2)
                {
                    Assert.DoesNotContain("Creating the embedded PostgreSQL cluster", log, StringComparison.Ordinal);
                    Assert.DoesNotContain("Applying migration", log, StringComparison.Ordinal);
                }
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                }
            }
        }
    }

    [Fact]
    public async Task An_occupied_port_is_one_line_and_leaves_no_PostgreSQL_running()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var result = await CliProcess.RunAsync(["serve", "--data", _data, "--urls", $"http://127.0.0.1:{port}"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines, l => l.StartsWith("tracemark: ", StringComparison.Ordinal));
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
        Assert.Contains("TRACEMARK_URLS", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "postgres", "postmaster.pid")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WaitForHealthyAsync(string url, Process server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "the server exited before it became healthy");
            try
            {
                var response = await http.GetAsync(url + "/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail("the server did not become healthy within 90 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
