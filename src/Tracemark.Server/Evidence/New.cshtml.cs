using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Evidence;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Evidence;

[Authorize(Policy = Policies.Writer)]
[RequestSizeLimit(EvidenceSetup.MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = EvidenceSetup.MaxUploadBytes)]
public sealed class NewModel(EvidenceStore evidence, TimeProvider clock, IStringLocalizer<EvidenceText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? RecordType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? RecordId { get; set; }

    [BindProperty]
    public string? CollectedBy { get; set; }

    [BindProperty]
    public string? CollectedAt { get; set; }

    [BindProperty]
    public string? CollectedWhere { get; set; }

    [BindProperty]
    public string? CollectionMethod { get; set; }

    [BindProperty]
    public IFormFile? Upload { get; set; }

    /// <summary>Reached from a record's page: the record is fixed, not chosen.</summary>
    public bool FromRecord => EvidenceRules.TryParse<EvidenceRecordType>(RecordType, out _) && Guid.TryParse(RecordId, out _);

    public void OnGet()
    {
        CollectedBy ??= Caller.DisplayName;
        CollectedAt ??= clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        await using var content = Upload?.OpenReadStream();
        var created = await evidence.UploadAsync(
            content,
            new NewEvidence(RecordType, RecordId, CollectedBy, CollectedAt, CollectedWhere, CollectionMethod, Upload?.FileName),
            cancellationToken);
        Flash = text["new.created"];
        return Redirect($"/evidence/{created.Id}");
    });
}
