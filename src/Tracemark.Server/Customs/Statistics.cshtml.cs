using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

/// <summary>Detentions, items and value by one dimension, between dates, in one currency.</summary>
public sealed class StatisticsModel(CustomsStatistics statistics) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? By { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Currency { get; set; }

    public StatisticsView? Result { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await AttemptAsync(async () =>
    {
        Result = await statistics.ComputeAsync(
            new StatisticsFilter(Empty(By), Empty(From), Empty(To), Empty(Currency)),
            cancellationToken);
        return Page();
    });

    private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
