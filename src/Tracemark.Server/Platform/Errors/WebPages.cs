namespace Tracemark.Server.Platform.Errors;

/// <summary>Tells a browser asking for a page from a client of the API, to answer each in its own form.</summary>
public static class WebPages
{
    private static readonly string[] MachinePrefixes = ["/api/", "/openapi/", "/healthz"];

    public static bool WantsPage(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (MachinePrefixes.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)) || string.Equals(path, "/api", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return context.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
    }
}
