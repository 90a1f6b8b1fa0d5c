using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

[Authorize(Policy = Policies.OrgAdmin)]
public sealed class ApiKeysModel(AccountAdmin admin) : TracemarkPageModel
{
    public IReadOnlyList<ApiKeyView> Keys { get; private set; } = [];

    /// <summary>The key just made: rendered once in this response, never stored in a cookie or shown again.</summary>
    public CreatedApiKey? Created { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public List<string> Scopes { get; set; } = [];

    [BindProperty]
    public int? ExpiresInDays { get; set; }

    [BindProperty]
    public Guid KeyId { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Keys = await admin.ListKeysAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            Created = await admin.CreateKeyAsync(new NewApiKey(Name, Scopes, ExpiresInDays), cancellationToken);
            Response.Headers.CacheControl = "no-store";
            return Page();
        });
        Keys = await admin.ListKeysAsync(cancellationToken);
        return result;
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await admin.RevokeKeyAsync(KeyId, cancellationToken);
            return RedirectToPage();
        });
        Keys = await admin.ListKeysAsync(cancellationToken);
        return result;
    }
}
