using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Platform.Web;

/// <summary>
/// Base of the product's pages: runs an action and turns the domain's errors into form errors in the
/// reader's language (the same messages the API gives), so no page invents its own validation text.
/// </summary>
public abstract class TracemarkPageModel : PageModel
{
    /// <summary>A one-off message shown after a redirect (e.g. "Alert created").</summary>
    [TempData]
    public string? Flash { get; set; }

    protected Caller Caller => HttpContext.RequestServices.GetRequiredService<CallerAccessor>().Current;

    /// <summary>Runs <paramref name="action"/>; on a domain error, records it in ModelState and shows the page again.</summary>
    protected async Task<IActionResult> AttemptAsync(Func<Task<IActionResult>> action, string? fieldPrefix = null)
    {
        try
        {
            return await action();
        }
        catch (InputValidationException ex)
        {
            var problems = HttpContext.RequestServices.GetRequiredService<Problems>();
            foreach (var error in ex.Errors)
            {
                ModelState.AddModelError(fieldPrefix + error.Field, problems.FieldMessage(error));
            }

            return Page();
        }
        catch (RuleViolationException ex)
        {
            AddProblem(ex);
            return Page();
        }
        catch (AccessDeniedException ex)
        {
            AddProblem(ex);
            return Page();
        }
    }

    private void AddProblem(Exception ex)
    {
        var problems = HttpContext.RequestServices.GetRequiredService<Problems>();
        var problem = problems.FromException(HttpContext, ex);
        ModelState.AddModelError(string.Empty, problem.Detail ?? problem.Title ?? "");
    }
}
