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

    /// <summary>The badge number of a link, 0 when it has none; a failing count never breaks the page (error pages use the layout too).</summary>
    public static async Task<int> BadgeAsync(IEnumerable<INavigationBadge> badges, NavigationLink link, CancellationToken cancellationToken)
    {
        var badge = badges.FirstOrDefault(b => string.Equals(b.Href, link.Href, StringComparison.Ordinal));
        if (badge is null)
        {
            return 0;
        }

        try
        {
            return await badge.CountAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return 0;
        }
    }
}

/// <summary>
/// A number shown beside a navigation link (unread notifications), registered by the link's feature as a
/// scoped service and computed when a page is drawn for a signed-in caller.
/// </summary>
public interface INavigationBadge
{
    string Href { get; }

    Task<int> CountAsync(CancellationToken cancellationToken);
}
