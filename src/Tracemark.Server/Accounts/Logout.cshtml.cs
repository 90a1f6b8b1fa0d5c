using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Accounts;

/// <summary>Signing out is a POST with an antiforgery token, so another site cannot sign a user out.</summary>
[AllowAnonymous]
public sealed class LogoutModel(SignInManager<AppUser> signIn, Db db) : TracemarkPageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Caller.IsAuthenticated)
        {
            await using var tx = await db.BeginAsync(cancellationToken);
            await tx.AuditAsync("session.sign_out", "user", Caller.UserId?.ToString(), Caller.OrganisationId, cancellationToken: cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        await signIn.SignOutAsync();
        return Redirect("/login");
    }
}
