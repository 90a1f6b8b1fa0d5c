using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tracemark.Server.Home;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
