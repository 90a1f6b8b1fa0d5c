using System.CommandLine;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var database = CommonOptions.Database();
        var urls = new Option<string?>("--urls")
        {
            Description = $"Listen addresses separated by ';' (default: $TRACEMARK_URLS or {TracemarkSettings.DefaultUrls}).",
            HelpName = "urls",
        };
        var demo = new Option<bool>("--demo")
        {
            Description = "Load the demo organisations and data into an empty database and write demo-credentials.json into the data folder.",
        };
        var vocabulary = new Option<FileInfo[]>("--vocabulary")
        {
            Description = "The vocabulary of the catalogue being screened, one word per line (default: $TRACEMARK_VOCABULARY, files separated by ';'); "
                + "repeatable. Its words are never lookalikes of a mark on their own.",
            HelpName = "vocabulary.txt",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve", "Start the web app and the API; with no database configured, start the embedded PostgreSQL and migrate it.")
        {
            data, database, urls, demo, vocabulary,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var arguments = CommonOptions.ToConfiguration(parsed, data, database);
            if (parsed.GetValue(urls) is { } listen)
            {
                arguments.Add("--Tracemark:Urls=" + listen);
            }

            if (parsed.GetValue(vocabulary) is { Length: > 0 } files)
            {
                arguments.Add("--Tracemark:Vocabulary=" + string.Join(';', files.Select(f => f.FullName)));
            }

            if (parsed.GetValue(demo))
            {
                arguments.Add("--Tracemark:Demo=true");
            }

            await using var app = Server.Program.Build([.. arguments]);
            var settings = app.Services.GetRequiredService<TracemarkSettings>();
            app.Lifetime.ApplicationStarted.Register(() => Announce(settings));
            await app.RunAsync();
            return 0;
        });
        return command;
    }

    private static void Announce(TracemarkSettings settings)
    {
        var url = settings.Urls.Split(';')[0].Trim().TrimEnd('/');
        Console.WriteLine($"Tracemark is ready at {url}  (sign in: {url}/login, API: {url}/api/v1, OpenAPI: {url}/openapi/v1.json)");
        var credentials = Path.Combine(settings.DataFolder, "demo-credentials.json");
        if (settings.Demo && File.Exists(credentials))
        {
            Console.WriteLine($"Demo credentials (users, passwords, API keys): {credentials}");
        }

        Console.WriteLine("Press Ctrl-C to stop.");
    }
}
