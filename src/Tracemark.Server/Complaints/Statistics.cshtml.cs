using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>Notices, takedown rate, median time to action and counter-notice rate, by platform, rights holder and month.</summary>
public sealed class StatisticsModel(ComplaintStatistics statistics) : TracemarkPageModel
{
    public StatisticsView? Statistics { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            Statistics = await statistics.QueryAsync(string.IsNullOrWhiteSpace(From) ? null : From, string.IsNullOrWhiteSpace(To) ? null : To, cancellationToken);
            return Page();
        });
}
