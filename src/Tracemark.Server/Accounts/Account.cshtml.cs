using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Accounts;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Localisation;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

public sealed class AccountModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, Db db, IStringLocalizer<AccountsText> text) : TracemarkPageModel
{
    public new AppUser? User { get; private set; }

    public string RoleText => User!.IsPlatformAdmin ? "platform_admin" : User.Role.ToWire();

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? PreferredLanguage { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        User = await AccountEndpoints.CurrentUserAsync(Caller, users);
        return Page();
    }

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken cancellationToken)
    {
        User = await AccountEndpoints.CurrentUserAsync(Caller, users);
        return await AttemptAsync(async () =>
        {
            await AccountEndpoints.ChangePasswordAsync(users, db, User, CurrentPassword, NewPassword, cancellationToken);
            await signIn.RefreshSignInAsync(User);
            Flash = text["account.password_changed"];
            return RedirectToPage();
        });
    }

    public async Task<IActionResult> OnPostLanguageAsync(CancellationToken cancellationToken)
    {
        User = await AccountEndpoints.CurrentUserAsync(Caller, users);
        return await AttemptAsync(async () =>
        {
            var rules = new FieldRules();
            var language = AccountAdmin.LanguagePreference(rules, PreferredLanguage);
            rules.ThrowIfAny();
            User.PreferredLanguage = language;
            await users.UpdateAsync(User);
            await using (var tx = await db.BeginAsync(cancellationToken))
            {
                await tx.AuditAsync("user.language", "user", User.Id.ToString(), User.OrganisationId, after: new { language }, cancellationToken: cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }

            await signIn.RefreshSignInAsync(User);

            // The switcher's cookie would otherwise win over the saved preference.
            if (language is null)
            {
                Response.Cookies.Delete(Languages.CookieName);
            }
            else
            {
                Response.Cookies.Append(Languages.CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)), new CookieOptions { HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, Expires = DateTimeOffset.UtcNow.AddYears(1) });
            }

            return RedirectToPage();
        });
    }
}
