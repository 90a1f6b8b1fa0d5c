using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Evidence;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Evidence;

public sealed record RecordEvidence(EvidenceRecordRef Record, IReadOnlyList<EvidenceSummary> Items, bool CanAdd);

/// <summary>
/// The evidence section of a record's page (an alert, a right): what the reader may see of the evidence attached to
/// it, and a way to add some. A record's page includes it with one line, so the record's feature need not know evidence.
/// </summary>
public sealed class RecordEvidenceViewComponent(EvidenceStore evidence, CallerAccessor caller) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(EvidenceRecordType type, Guid id)
    {
        var items = await evidence.ForRecordAsync(type, id, HttpContext.RequestAborted);
        return View("/Evidence/_RecordEvidence.cshtml", new RecordEvidence(new EvidenceRecordRef(EvidenceRules.Wire(type), id), items, caller.Current.CanWrite));
    }
}
