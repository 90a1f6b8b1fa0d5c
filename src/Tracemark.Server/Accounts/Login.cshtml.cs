using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, Db db, IStringLocalizer<AccountsText> text) : TracemarkPageModel
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password))
        {
            ModelState.AddModelError(string.Empty, text["login.missing"]);
            return Page();
        }

        var user = await users.FindByEmailAsync(Email.Trim());
        var result = user is null ? Microsoft.AspNetCore.Identity.SignInResult.Failed : await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (user is not null)
        {
            await AuditAsync(user, result, cancellationToken);
        }

        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }

        // One message for unknown addresses and wrong passwords, so the form does not reveal who has an account.
        ModelState.AddModelError(string.Empty, result.IsLockedOut ? text["login.locked_out"] : result.IsNotAllowed ? text["login.not_allowed"] : text["login.failed"]);
        return Page();
    }

    private async Task AuditAsync(AppUser user, Microsoft.AspNetCore.Identity.SignInResult result, CancellationToken cancellationToken)
    {
        var actor = new Caller { UserId = user.Id, OrganisationId = user.OrganisationId, ClientAddress = HttpContext.Connection.RemoteIpAddress?.ToString() };
        var action = result.Succeeded ? "session.sign_in" : result.IsLockedOut ? "session.locked_out" : "session.sign_in_failed";
        await using var tx = await db.BeginAsync(actor, cancellationToken);
        await tx.AuditAsync(action, "user", user.Id.ToString(), user.OrganisationId, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
