using Microsoft.AspNetCore.Localization;
using Tracemark.Server.Platform.Localisation;

namespace Tracemark.Server.Platform.Web;

public static class LanguageEndpoints
{
    /// <summary>The language switcher: remembers the choice in a cookie and returns to the page (never to another site).</summary>
    public static WebApplication MapLanguageSwitch(this WebApplication app)
    {
        app.MapGet("/language", (string? to, string? returnUrl, HttpContext context) =>
        {
            var language = Languages.Match(to) ?? Languages.English;
            context.Response.Cookies.Append(
                Languages.CookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
            var target = !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
                ? returnUrl
                : "/";
            return Results.LocalRedirect(target);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
