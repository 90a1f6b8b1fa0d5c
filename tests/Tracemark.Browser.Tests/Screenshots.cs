namespace Tracemark.Browser.Tests;

/// <summary>Saves full-page screenshots when TRACEMARK_SCREENSHOTS names a folder: for looking at the pages, not for asserting.</summary>
internal static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("TRACEMARK_SCREENSHOTS");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
