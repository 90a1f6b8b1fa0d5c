using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Rights.Import;

namespace Tracemark.Server.Rights;

[Authorize(Policy = Policies.Writer)]
[RequestSizeLimit(RightsSetup.MaxImportBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = RightsSetup.MaxImportBytes)]
public sealed class ImportModel(RightImporter importer, AgentStore agents) : TracemarkPageModel
{
    [BindProperty]
    public IFormFile? Upload { get; set; }

    [BindProperty]
    public bool DryRun { get; set; } = true;

    [BindProperty]
    public bool SkipInvalid { get; set; }

    [BindProperty]
    public Guid? HolderId { get; set; }

    public IReadOnlyList<OrganisationRef> Holders { get; private set; } = [];

    public ImportReport? Report { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            if (Upload is null)
            {
                throw new Core.Errors.InputValidationException("file", "required");
            }

            // The file's name decides the format here (browsers send CSV as many different types).
            var format = Upload.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ImportFormat.Json : ImportFormat.Csv;
            await using var stream = Upload.OpenReadStream();
            Report = await importer.ImportAsync(stream, format, null, new ImportOptions(DryRun, SkipInvalid, HolderId), null, cancellationToken);
            return Page();
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Holders = Caller.OrganisationKind == Core.Organisations.OrganisationKind.Agent ? await agents.HoldersAsync(cancellationToken) : [];
}
