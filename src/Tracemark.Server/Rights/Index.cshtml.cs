using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class IndexModel(RightSearch search) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Jurisdiction { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Class { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ValidOn { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Owner { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public RightSearchPage? Results { get; private set; }

    /// <summary>Rights holders and agents record rights; everyone else finds them.</summary>
    public bool CanRecord => Caller.CanWrite && Caller.OrganisationKind is OrganisationKind.RightsHolder or OrganisationKind.Agent;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Results = await search.SearchAsync(new RightFilter(Q, null, Owner, Type, Status, Jurisdiction, Class, ValidOn, "true", Cursor), cancellationToken);
        return Page();
    });

    /// <summary>This search with one parameter set (a facet, the next page); a new filter starts again from the first page.</summary>
    public string With(string name, string value)
    {
        var query = Current();
        query[name] = value;
        if (name != "cursor")
        {
            query.Remove("cursor");
        }

        return "/rights" + QueryString.Create(query.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }

    public string ExportUrl()
    {
        var query = Current();
        query.Remove("cursor");
        return "/api/v1/rights/export" + QueryString.Create(query.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
    }

    private Dictionary<string, string?> Current() => new(StringComparer.Ordinal)
    {
        ["q"] = Q,
        ["type"] = Type,
        ["status"] = Status,
        ["jurisdiction"] = Jurisdiction,
        ["class"] = Class,
        ["validOn"] = ValidOn,
        ["owner"] = Owner,
        ["cursor"] = Cursor,
    };
}
