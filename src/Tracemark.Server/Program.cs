using Tracemark.Server.Accounts;
using Tracemark.Server.Alerts;
using Tracemark.Server.Audit;
using Tracemark.Server.Calendars;
using Tracemark.Server.Complaints;
using Tracemark.Server.Customs;
using Tracemark.Server.Evidence;
using Tracemark.Server.Notifications;
using Tracemark.Server.Notifications.Webhooks;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Health;
using Tracemark.Server.Rights;
using Tracemark.Server.Screening;
using Tracemark.Server.Sharing;

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
        builder.AddAccounts();
        builder.AddSharing();
        builder.AddAudit();
        builder.AddAlerts();
        builder.AddCalendars();
        builder.AddNotifications();
        builder.AddWebhooks();
        builder.AddRights();
        builder.AddScreening();
        builder.AddComplaints();
        builder.AddCustoms();
        builder.AddEvidence();

        var app = builder.Build();
        app.UsePlatform();
        app.MapPlatform();
        app.MapHealth();
        app.MapAccounts();
        app.MapOrganisations();
        app.MapSharing();
        app.MapAudit();
        app.MapAlerts();
        app.MapCalendars();
        app.MapNotifications();
        app.MapWebhooks();
        app.MapRights();
        app.MapScreening();
        app.MapComplaints();
        app.MapCustoms();
        app.MapEvidence();
        return app;
    }

    public static async Task<int> Main(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
        return 0;
    }
}
