using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Tracemark.Browser.Tests;

/// <summary>The server on a real loopback port (Kestrel), so that a real browser can reach it.</summary>
public class ServedTracemark : TracemarkFactory
{
    public string BaseUrl { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel();
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }
}
