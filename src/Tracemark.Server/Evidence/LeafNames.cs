using Tracemark.Core.Evidence;
using Tracemark.Ledger;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Evidence;

/// <summary>
/// How a leaf names who and what (docs/ledger.md §2 asks for identifiers, not names, because receipts travel):
/// <c>org:&lt;id&gt;</c>, <c>user:&lt;id&gt;</c> or <c>key:&lt;id&gt;</c> (an API key), and <c>alert/&lt;id&gt;</c>
/// for the record. Ids are this node's UUIDs; the organisation directory turns them into names for those who may know.
/// </summary>
public static class LeafNames
{
    public static string Organisation(Guid id) => "org:" + id.ToString("D");

    public static string Actor(Caller caller) =>
        caller.UserId is { } user ? User(user)
        : caller.ApiKeyId is { } key ? "key:" + key.ToString("D")
        : throw new InvalidOperationException("Custody events are recorded by a person or an API key.");

    public static string User(Guid id) => "user:" + id.ToString("D");

    public static string Record(EvidenceRecordType? type, Guid? id) =>
        type is { } t && id is { } i ? EvidenceRules.Wire(t) + "/" + i.ToString("D") : string.Empty;

    public static Guid? ParseOrganisation(string text) =>
        text.StartsWith("org:", StringComparison.Ordinal) && Guid.TryParseExact(text.AsSpan(4), "D", out var id) ? id : null;

    /// <summary>The kind as the API and the database write it ("collected", "viewed", …).</summary>
    public static string Kind(CustodyEventKind kind) => EvidenceRules.Wire(kind);

    public static CustodyEventKind ToKind(CustodyAction action) => action switch
    {
        CustodyAction.Transferred => CustodyEventKind.Transferred,
        CustodyAction.Disclosed => CustodyEventKind.Disclosed,
        CustodyAction.Sampled => CustodyEventKind.Sampled,
        CustodyAction.Returned => CustodyEventKind.Returned,
        CustodyAction.Destroyed => CustodyEventKind.Destroyed,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
