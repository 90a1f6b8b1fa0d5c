using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Tracemark.Server.Platform.Web;

/// <summary>The page a browser sees for an error status; the API answers the same errors as problem details.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel(IStringLocalizer<ShellText> text) : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public void OnGet(int code) => Describe(code);

    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        // Re-executed requests keep the original status (which names the error); a direct visit to /error/404 shows the same.
        if (HttpContext.Response.StatusCode >= 400)
        {
            code = HttpContext.Response.StatusCode;
        }
        else if (code is >= 400 and < 600)
        {
            HttpContext.Response.StatusCode = code;
        }

        var key = code switch
        {
            401 or 403 or 404 or 405 => code.ToString(CultureInfo.InvariantCulture),
            >= 500 => "500",
            _ => "400",
        };
        Title = text["error." + key + ".title"];
        Message = text["error." + key + ".message"];
    }
}
