using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;

namespace Tracemark.Server.Platform.Localisation;

/// <summary>The product speaks English and Simplified Chinese; this decides which one each request gets.</summary>
public static class Languages
{
    public const string English = "en";
    public const string Chinese = "zh-CN";
    public const string CookieName = ".Tracemark.Language";

    public static readonly CultureInfo[] Supported = [CultureInfo.GetCultureInfo(English), CultureInfo.GetCultureInfo(Chinese)];

    /// <summary>Maps any language tag to one we speak: every Chinese variant to zh-CN, every English one to en.</summary>
    public static string? Match(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return null;
        }

        tag = tag.Trim();
        if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
        {
            return Chinese;
        }

        return tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English : null;
    }

    public static IServiceCollection AddLanguages(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(English);
            options.SupportedCultures = Supported;
            options.SupportedUICultures = Supported;
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
                new CookieRequestCultureProvider { CookieName = CookieName },
                new CustomRequestCultureProvider(FromUserPreference),
                new CustomRequestCultureProvider(FromAcceptLanguage),
            ];
        });
        return services;
    }

    public static WebApplication UseLanguages(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>
    /// The language saved in the signed-in user's account (claim "lang"). Runs before the
    /// authentication middleware, so it reads the session cookie itself (the result is cached for the request).
    /// </summary>
    private static async Task<ProviderCultureResult?> FromUserPreference(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 0 || !context.Request.Cookies.ContainsKey(".Tracemark.Session"))
        {
            return null;
        }

        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var language = Match(session.Principal?.FindFirst("lang")?.Value);
        return language is null ? null : new ProviderCultureResult(language);
    }

    /// <summary>Accept-Language by quality, understanding zh, zh-Hans, zh-TW and en-GB as well as exact tags.</summary>
    private static Task<ProviderCultureResult?> FromAcceptLanguage(HttpContext context)
    {
        var header = context.Request.Headers.AcceptLanguage.ToString();
        if (string.IsNullOrWhiteSpace(header) || !StringWithQualityHeaderValue.TryParseList(header.Split(','), out var values))
        {
            return Task.FromResult<ProviderCultureResult?>(null);
        }

        foreach (var value in values.OrderByDescending(v => v.Quality ?? 1))
        {
            if (value.Quality is 0)
            {
                continue;
            }

            var language = Match(value.Value.Value);
            if (language is not null)
            {
                return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(language));
            }
        }

        return Task.FromResult<ProviderCultureResult?>(null);
    }
}
