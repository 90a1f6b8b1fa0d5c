using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Alerts;

public sealed class IndexModel(AlertStore alerts) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Severity { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Distribution { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Mine { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<AlertView>? Alerts { get; private set; }

    public bool CanWrite => Caller.CanWrite;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Alerts = await alerts.ListAsync(new AlertFilter(Cursor, null, Severity, null, Q, Mine, Distribution, null), cancellationToken);
        return Page();
    });

    public string NextPageUrl(string cursor) => QueryString.Create(new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["q"] = Q,
        ["severity"] = Severity,
        ["distribution"] = Distribution,
        ["mine"] = Mine,
        ["cursor"] = cursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent() is var query ? "/alerts" + query : "/alerts";
}
