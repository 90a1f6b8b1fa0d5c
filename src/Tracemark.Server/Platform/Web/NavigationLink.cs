using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Platform.Web;

/// <summary>
/// A link in the top navigation, registered by its feature (services.AddNavigation(...)) so that the
/// layout never needs editing; shown only to callers that have <see cref="Permission"/> (see AccountEndpoints.Permissions).
/// </summary>
public sealed record NavigationLink(string Href, string TextKey, string Permission, int Order);

public static class Navigation
{
    public static IServiceCollection AddNavigation(this IServiceCollection services, string href, string textKey, string permission, int order) =>
        services.AddSingleton(new NavigationLink(href, textKey, permission, order));

    public static IEnumerable<NavigationLink> For(IEnumerable<NavigationLink> links, Caller caller)
    {
        if (!caller.IsAuthenticated)
        {
            return [];
        }

        var permissions = Accounts.AccountEndpoints.Permissions(caller);
        return links.Where(l => permissions.Contains(l.Permission, StringComparer.Ordinal)).OrderBy(l => l.Order).DistinctBy(l => l.Href, StringComparer.Ordinal);
    }
}
