using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Hosting;
using Tracemark.Server.Platform.Idempotency;
using Tracemark.Server.Platform.Localisation;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Platform;

/// <summary>What every feature stands on: settings, the database, errors, languages, JSON, OpenAPI, logging, security headers.</summary>
public static class PlatformSetup
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        var settings = TracemarkSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);

        // A failed start is reported by the CLI in one line; the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.WebHost.UseUrls(settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddSingleton(TimeProvider.System);

        // The database must be reachable (or the embedded one started) before anything else is built,
        // so that a missing prerequisite fails here with one clear line rather than on the first request.
        var database = DatabaseHost.OpenAsync(settings).GetAwaiter().GetResult();

        // Registered through a factory so that the container disposes it: that stops the embedded PostgreSQL.
        builder.Services.AddSingleton(_ => database);
        builder.Services.AddDataProtection()
            .SetApplicationName("Tracemark")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataFolder, "keys")));

        builder.Services.AddSingleton(services => new NpgsqlDataSourceBuilder(services.GetRequiredService<DatabaseHost>().ConnectionString)
            .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
            .Build());
        builder.Services.AddHostedService<DatabaseStartup>();
        DapperSetup.Configure();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CallerAccessor>();
        builder.Services.AddScoped<Db>();
        builder.Services.AddSingleton<DemoLoader>();

        builder.Services.AddIdempotency();
        builder.Services.AddProblems();
        builder.Services.AddLanguages();
        builder.Services.ConfigureHttpJsonOptions(json => ConfigureJson(json.SerializerOptions));
        builder.Services.AddOpenApi("v1");
        builder.Services.AddRouting(o => o.LowercaseUrls = true);

        // Pages live in their feature's folder (Alerts/, Rights/, …) next to its endpoints and queries.
        builder.Services.AddRazorPages(o => o.RootDirectory = "/")
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages are compiled into this assembly, but the process's entry assembly is the
                // `tracemark` command, which is where MVC looks by default.
                var server = typeof(PlatformSetup).Assembly;
                if (!parts.ApplicationParts.OfType<Microsoft.AspNetCore.Mvc.ApplicationParts.AssemblyPart>().Any(p => p.Assembly == server))
                {
                    parts.ApplicationParts.Add(new Microsoft.AspNetCore.Mvc.ApplicationParts.CompiledRazorAssemblyPart(server));
                    parts.ApplicationParts.Add(new Microsoft.AspNetCore.Mvc.ApplicationParts.AssemblyPart(server));
                }
            });

        // Pages write Chinese as characters, not as &#x…; entities; markup characters are still encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".Tracemark.Antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    /// <summary>API JSON: camelCase members, snake_case enum values, unknown members refused so that typos are reported.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.MaxDepth = 32;

        // Chinese text stays readable in responses; HTML-significant characters are still escaped.
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseRequestLogging();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseStaticFiles();

        // Languages come before the error path so that errors speak the caller's language; the error
        // path comes before routing (its error pages are re-executed through routing) and before
        // authentication (so that a failure there is a problem detail too).
        app.UseLanguages();
        app.UseProblems();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseIdempotency();
        return app;
    }

    /// <summary>Endpoints of the platform itself; features map theirs in Program.cs.</summary>
    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapRazorPages();
        app.MapLanguageSwitch();
        return app;
    }
}
