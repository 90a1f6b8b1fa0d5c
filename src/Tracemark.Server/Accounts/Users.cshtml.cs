using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Accounts;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

[Authorize(Policy = Policies.OrgAdmin)]
public sealed class UsersModel(AccountAdmin admin) : TracemarkPageModel
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];

    [BindProperty]
    public Guid UserId { get; set; }

    [BindProperty]
    public string? Role { get; set; }

    [BindProperty]
    public bool Active { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? NewRole { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken) => ChangeAsync(
        () => admin.CreateUserAsync(new NewUser(Email, DisplayName, ParseRole("role", NewRole), Password, null, null), cancellationToken),
        cancellationToken);

    public Task<IActionResult> OnPostRoleAsync(CancellationToken cancellationToken) =>
        ChangeAsync(() => admin.ChangeUserAsync(UserId, new UserChange(null, ParseRole("role", Role), null, null), cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostActiveAsync(CancellationToken cancellationToken) =>
        ChangeAsync(() => admin.ChangeUserAsync(UserId, new UserChange(null, null, Active, null), cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostUnlockAsync(CancellationToken cancellationToken) =>
        ChangeAsync(() => admin.ChangeUserAsync(UserId, new UserChange(null, null, null, true), cancellationToken), cancellationToken);

    private async Task<IActionResult> ChangeAsync(Func<Task<UserView>> change, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await change();
            return RedirectToPage();
        });
        if (result is Microsoft.AspNetCore.Mvc.RazorPages.PageResult)
        {
            await LoadAsync(cancellationToken);
        }

        return result;
    }

    private static Role? ParseRole(string field, string? value)
    {
        var rules = new FieldRules();
        var role = QueryValues.Enum<Role>(rules, field, value);
        rules.ThrowIfAny();
        return role;
    }

    private async Task LoadAsync(CancellationToken cancellationToken) => Users = await admin.ListUsersAsync(Caller.OrganisationId, cancellationToken);
}
