using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Audit;

[Authorize(Policy = Policies.Auditor)]
public sealed class IndexModel(AuditTrail trail) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? RecordType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? RecordId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<AuditEntry>? Entries { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Entries = await trail.ListAsync(new AuditFilter(UserId, RecordType, RecordId, null, From, To, Cursor, null), cancellationToken);
        return Page();
    });

    public string NextPageUrl(string cursor) => "/audit" + QueryString.Create(new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["recordType"] = RecordType,
        ["recordId"] = RecordId,
        ["userId"] = UserId,
        ["from"] = From,
        ["to"] = To,
        ["cursor"] = cursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
