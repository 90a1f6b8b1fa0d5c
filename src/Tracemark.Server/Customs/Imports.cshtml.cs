using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Customs.Import;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

[RequestSizeLimit(DeclarationImports.MaxBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = DeclarationImports.MaxBytes)]
public sealed class ImportsModel(DeclarationImports imports) : TracemarkPageModel
{
    [BindProperty]
    public IFormFile? Upload { get; set; }

    [BindProperty]
    public bool SkipInvalid { get; set; }

    public Page<DeclarationImportView>? Imports { get; private set; }

    public bool CanWrite => Caller.CanWrite;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        CustomsAccess.RequireCustoms(Caller);
        Imports = await imports.ListAsync(null, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            if (Upload is null)
            {
                throw new Core.Errors.InputValidationException("file", "required");
            }

            // The file's name decides the format here (browsers send CSV as many different types).
            var json = Upload.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            await using var stream = Upload.OpenReadStream();
            var job = await imports.CreateAsync(stream, json, null, Upload.FileName, SkipInvalid, cancellationToken);
            return Redirect($"/customs/imports/{job.Id}");
        });
        Imports = await imports.ListAsync(null, null, cancellationToken);
        return result;
    }
}
