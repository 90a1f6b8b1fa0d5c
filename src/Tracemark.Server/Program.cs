using Tracemark.Server.Organisations;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Health;

namespace Tracemark.Server;

/// <summary>The table of contents of the server: each feature adds its services and maps its endpoints and pages.</summary>
public sealed class Program
{
    private Program()
    {
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPlatform();
        builder.AddOrganisations();

        var app = builder.Build();
        app.UsePlatform();
        app.MapPlatform();
        app.MapHealth();
        return app;
    }

    public static async Task<int> Main(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
        return 0;
    }
}
