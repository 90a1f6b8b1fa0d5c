using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Evidence;

/// <summary>Where a piece of evidence is: held by its custodian, returned out of the platform's custody, or destroyed.</summary>
public enum EvidenceStatus
{
    Held,
    Returned,
    Destroyed,
}

/// <summary>
/// What a person records about a piece of evidence after it was uploaded. Collected, uploaded and viewed are
/// recorded by the platform itself, never asked for.
/// </summary>
public enum CustodyAction
{
    Transferred,
    Disclosed,
    Sampled,
    Returned,
    Destroyed,
}

/// <summary>Record types evidence may belong to; each has a branch in the SQL function tm_evidence_record_visible.</summary>
public enum EvidenceRecordType
{
    Alert,
    Right,
}

/// <summary>What an upload says about the evidence, checked.</summary>
public sealed record EvidenceMetadata(
    EvidenceRecordType? RecordType,
    Guid? RecordId,
    string CollectedBy,
    DateTimeOffset CollectedAt,
    string? CollectedWhere,
    string? CollectionMethod,
    string? OriginalName);

/// <summary>A custody action checked against the evidence's state: who holds it and what it is afterwards.</summary>
public sealed record CustodyOutcome(Guid Custodian, EvidenceStatus Status);

/// <summary>
/// The rules of evidence and its chain of custody. Only the organisation holding a piece of evidence (its
/// custodian) changes its custody; nothing but disclosure happens to evidence that has been returned out of the
/// platform's custody or destroyed, because there is nothing left to hand over or sample.
/// </summary>
public static class EvidenceRules
{
    public const int CollectedByMax = 200;
    public const int CollectedWhereMax = 500;
    public const int CollectionMethodMax = 1000;
    public const int OriginalNameMax = 255;
    public const int NoteMax = 2000;

    /// <summary>Leaves hold texts of at most this many UTF-8 bytes (docs/ledger.md §2).</summary>
    public const int LeafTextBytes = 4096;

    public static string Wire<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        foreach (var member in Enum.GetValues<T>())
        {
            if (string.Equals(Wire(member), text?.Trim(), StringComparison.Ordinal))
            {
                value = member;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Checks an upload's description; every problem is added to <paramref name="rules"/>, named as the client wrote the field.</summary>
    public static EvidenceMetadata Metadata(
        FieldRules rules,
        string? recordType,
        string? recordId,
        string? collectedBy,
        string? collectedAt,
        string? collectedWhere,
        string? collectionMethod,
        string? originalName,
        DateTimeOffset now)
    {
        EvidenceRecordType? type = null;
        Guid? id = null;
        var hasType = !string.IsNullOrWhiteSpace(recordType);
        var hasId = !string.IsNullOrWhiteSpace(recordId);
        if (hasType)
        {
            if (TryParse<EvidenceRecordType>(recordType, out var parsed))
            {
                type = parsed;
            }
            else
            {
                rules.Add("recordType", "evidence.record_type_unknown", recordType!.Trim());
            }
        }

        if (hasId)
        {
            if (Guid.TryParse(recordId!.Trim(), out var parsedId))
            {
                id = parsedId;
            }
            else
            {
                rules.Add("recordId", "invalid_value");
            }
        }

        if (hasType && !hasId)
        {
            rules.Add("recordId", "required");
        }
        else if (hasId && !hasType)
        {
            rules.Add("recordType", "required");
        }

        var by = rules.Required("collectedBy", collectedBy, CollectedByMax);
        var at = Instant(rules, "collectedAt", collectedAt, now, required: true) ?? now;
        var where = rules.Optional("collectedWhere", collectedWhere, CollectedWhereMax);
        var how = rules.Optional("collectionMethod", collectionMethod, CollectionMethodMax);
        var name = FileName(rules, originalName);
        return new EvidenceMetadata(type, id, by, at, where, how, name);
    }

    /// <summary>
    /// A moment something happened: ISO 8601 with a zone (UTC when none is given), not in the future, whole
    /// milliseconds (what a leaf records), after 1970 (a leaf could hold earlier times, but evidence that old is a typo).
    /// </summary>
    public static DateTimeOffset? Instant(FieldRules rules, string field, string? text, DateTimeOffset now, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                rules.Add(field, "required");
            }

            return null;
        }

        if (!DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            rules.Add(field, "date.invalid", text.Trim());
            return null;
        }

        instant = DateTimeOffset.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());
        if (instant > now)
        {
            rules.Add(field, "evidence.in_future", now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            return null;
        }

        if (instant < DateTimeOffset.UnixEpoch)
        {
            rules.Add(field, "evidence.too_early");
            return null;
        }

        return instant;
    }

    /// <summary>The name the file had on the collector's disk, without any folder; nothing when blank.</summary>
    public static string? FileName(FieldRules rules, string? originalName)
    {
        if (string.IsNullOrWhiteSpace(originalName))
        {
            return null;
        }

        // Browsers on Windows send "C:\fakepath\photo.jpg" or the whole path; only the last part is the name.
        var name = originalName.Trim().Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Normalize(NormalizationForm.FormC);
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            rules.Add("originalName", "invalid_value");
            return null;
        }

        if (name.Length > OriginalNameMax)
        {
            rules.Add("originalName", "too_long", OriginalNameMax);
            return null;
        }

        return name;
    }

    /// <summary>A note that fits a leaf: at most <see cref="NoteMax"/> characters and <see cref="LeafTextBytes"/> bytes of UTF-8 once normalised.</summary>
    public static string? Note(FieldRules rules, string? note, bool required)
    {
        var text = required ? rules.Required("note", note, NoteMax) : rules.Optional("note", note, NoteMax);
        if (text is null)
        {
            return null;
        }

        text = text.Normalize(NormalizationForm.FormC);
        if (Encoding.UTF8.GetByteCount(text) > LeafTextBytes)
        {
            rules.Add("note", "too_long", NoteMax);
        }

        return text;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may take <paramref name="action"/> on evidence in <paramref name="status"/> held by
    /// <paramref name="custodian"/>, and what the evidence is afterwards. Field problems (a missing counterparty, a missing
    /// note) go to <paramref name="rules"/>; a refusal that no input could fix is thrown.
    /// </summary>
    /// <exception cref="AccessDeniedException">The actor does not hold the evidence.</exception>
    /// <exception cref="RuleViolationException">The evidence is no longer held (returned or destroyed).</exception>
    public static CustodyOutcome Apply(FieldRules rules, CustodyAction action, EvidenceStatus status, Guid custodian, Guid actor, Guid? counterparty)
    {
        if (actor != custodian)
        {
            throw new AccessDeniedException("evidence.not_custodian", "Only the organisation holding the evidence records what happens to it.");
        }

        if (status != EvidenceStatus.Held && action != CustodyAction.Disclosed)
        {
            throw new RuleViolationException(
                "evidence.no_longer_held",
                $"Evidence that was {Wire(status)} can only be disclosed.",
                "kind",
                isConflict: true,
                Wire(status));
        }

        var needsCounterparty = action is CustodyAction.Transferred or CustodyAction.Disclosed;
        var takesCounterparty = needsCounterparty || action == CustodyAction.Returned;
        if (needsCounterparty && counterparty is null)
        {
            rules.Add("counterpartyOrganisationId", "required");
        }
        else if (!takesCounterparty && counterparty is not null)
        {
            rules.Add("counterpartyOrganisationId", "evidence.counterparty_not_for_kind", Wire(action));
        }
        else if (counterparty == actor)
        {
            rules.Add("counterpartyOrganisationId", "evidence.counterparty_self");
        }

        return action switch
        {
            CustodyAction.Transferred => new CustodyOutcome(counterparty ?? custodian, status),

            // Returned to an organisation on the platform: it holds the evidence now. Returned to anyone else (the
            // importer, the owner of seized goods): it has left the platform's custody.
            CustodyAction.Returned when counterparty is { } to => new CustodyOutcome(to, EvidenceStatus.Held),
            CustodyAction.Returned => new CustodyOutcome(custodian, EvidenceStatus.Returned),
            CustodyAction.Destroyed => new CustodyOutcome(custodian, EvidenceStatus.Destroyed),
            _ => new CustodyOutcome(custodian, status),
        };
    }

    /// <summary>Sampling and destruction say what was done (the sample taken, the certificate of destruction).</summary>
    public static bool NeedsNote(CustodyAction action) => action is CustodyAction.Sampled or CustodyAction.Destroyed;
}
