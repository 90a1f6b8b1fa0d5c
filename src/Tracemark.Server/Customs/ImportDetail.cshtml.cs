using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Customs.Import;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

public sealed class ImportDetailModel(DeclarationImports imports) : TracemarkPageModel
{
    public DeclarationImportView? Job { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Job = await imports.GetAsync(id, cancellationToken);

        // A running import shows its progress by reloading itself: the page works without any script.
        if (!Job.Finished)
        {
            Response.Headers["Refresh"] = "2";
        }

        return Page();
    }
}
