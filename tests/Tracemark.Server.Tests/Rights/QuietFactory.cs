using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Tracemark.Server.Notifications;

namespace Tracemark.Server.Tests.Rights;

/// <summary>The server without its notification worker, so that a test alone decides when the outbox runs.</summary>
public sealed class QuietFactory : TracemarkFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var worker = services.Single(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(NotificationWorker));
            services.Remove(worker);
        });
    }
}
