using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Tracemark.Core.Errors;
using Tracemark.Core.Evidence;
using Tracemark.Ledger;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Evidence;

public sealed record EvidenceRecordRef(string Type, Guid Id);

public sealed record CustodyEventView(
    Guid Id,
    long LeafIndex,
    string Kind,
    DateTimeOffset OccurredAt,
    OrganisationRef Organisation,
    string Actor,
    string? ActorName,
    OrganisationRef? Counterparty,
    string? Note,
    DateTimeOffset RecordedAt,
    bool IsSigned,
    string ReceiptUrl);

public sealed record EvidenceSummary(
    Guid Id,
    string Sha256,
    long Size,
    string MediaType,
    string? OriginalName,
    EvidenceRecordRef? Record,
    DateTimeOffset CollectedAt,
    OrganisationRef Owner,
    OrganisationRef Custodian,
    string Status,
    DateTimeOffset CreatedAt);

public sealed record EvidenceView(
    Guid Id,
    string Sha256,
    long Size,
    string MediaType,
    string? OriginalName,
    EvidenceRecordRef? Record,
    string CollectedBy,
    DateTimeOffset CollectedAt,
    string? CollectedWhere,
    string? CollectionMethod,
    OrganisationRef Owner,
    OrganisationRef Custodian,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string FileUrl,
    string ReceiptUrl,
    IReadOnlyList<CustodyEventView> Custody);

/// <summary>An upload's description, as the form or the multipart request gave it.</summary>
public sealed record NewEvidence(
    string? RecordType,
    string? RecordId,
    string? CollectedBy,
    string? CollectedAt,
    string? CollectedWhere,
    string? CollectionMethod,
    string? OriginalName);

/// <summary>A custody action on one piece of evidence: kind is transferred, disclosed, sampled, returned or destroyed.</summary>
public sealed record NewCustodyEvent(Guid? EvidenceId, string? Kind, Guid? CounterpartyOrganisationId, string? Note, string? OccurredAt);

/// <summary>Several custody actions recorded together: one transaction, one append to the log.</summary>
public sealed record CustodyBatch(IReadOnlyList<NewCustodyEvent>? Events);

public sealed record EvidenceFilter(string? Cursor, string? Limit, string? RecordType, string? RecordId, string? Sha256);

/// <summary>
/// Evidence for the API and the pages alike: uploads, custody actions, views of the file, receipts. What a caller
/// sees is decided by row-level security (migration 0060); this class never filters by organisation to read.
/// Every custody event is appended to the ledger first and recorded with its leaf index in the same transaction
/// as the change it describes (see <see cref="EvidenceLedger"/>).
/// </summary>
public sealed class EvidenceStore(Db db, BlobStore blobs, EvidenceLedger ledger, TimeProvider clock)
{
    public const int MaxBatch = 1000;

    /// <summary>Photos, scans, PDFs and videos, up to 100 MB.</summary>
    public static readonly BlobRules Files = new(
        100L * 1024 * 1024,
        [MediaTypes.Png, MediaTypes.Jpeg, MediaTypes.Gif, MediaTypes.WebP, MediaTypes.Pdf, MediaTypes.Mp4]);

    private Caller? _actingAs;

    private const string SelectItem = """
        SELECT e.id, e.sha256, b.size, b.media_type, e.original_name, e.record_type, e.record_id, e.collected_by, e.collected_at,
               e.collected_where, e.collection_method, e.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh, o.kind AS owner_kind,
               e.custodian_org_id, c.name_en AS custodian_name_en, c.name_zh AS custodian_name_zh, c.kind AS custodian_kind,
               e.status, e.created_at, e.updated_at
        FROM evidence_items e
        JOIN blobs b ON b.sha256 = e.sha256
        JOIN organisations o ON o.id = e.owner_org_id
        JOIN organisations c ON c.id = e.custodian_org_id
        """;

    /// <summary>The same store acting for a given caller rather than the request's: the demo data goes through the same rules.</summary>
    internal EvidenceStore As(Caller caller) => new(db, blobs, ledger, clock) { _actingAs = caller };

    public async Task<EvidenceView> UploadAsync(Stream? content, NewEvidence input, CancellationToken cancellationToken, IReadOnlyList<string>? unknownFields = null)
    {
        // Everything that can be checked before the file is written is, so a refused upload leaves no file behind.
        var rules = new FieldRules();
        var now = clock.GetUtcNow();
        var metadata = EvidenceRules.Metadata(
            rules, input.RecordType, input.RecordId, input.CollectedBy, input.CollectedAt, input.CollectedWhere, input.CollectionMethod, input.OriginalName, now);
        if (content is null)
        {
            rules.Add("file", "required");
        }

        foreach (var field in unknownFields ?? [])
        {
            rules.Add(field, "unknown_field");
        }

        rules.ThrowIfAny();
        await ledger.EnsureOpenAsync(cancellationToken);
        await using var tx = await BeginAsync(cancellationToken);
        if (metadata.RecordType is { } type
            && !await tx.ExecuteScalarAsync<bool>("SELECT tm_evidence_record_visible(@type, @id)", new { type = EvidenceRules.Wire(type), id = metadata.RecordId }, cancellationToken))
        {
            throw new InputValidationException("recordId", "evidence.record_unknown", EvidenceRules.Wire(type));
        }

        var blob = await blobs.PutAsync(tx, content!, Files, "file", cancellationToken);
        var id = Guid.CreateVersion7();
        var organisation = tx.Caller.OrganisationId!.Value;
        var actor = LeafNames.Actor(tx.Caller);
        await tx.ExecuteAsync(
            """
            INSERT INTO evidence_items (id, sha256, owner_org_id, custodian_org_id, record_type, record_id, original_name, collected_by, collected_at,
                                        collected_where, collection_method, uploaded_by, created_at, updated_at)
            VALUES (@id, @sha, @organisation, @organisation, @recordType, @RecordId, @OriginalName, @CollectedBy, @CollectedAt,
                    @CollectedWhere, @CollectionMethod, @actor, @now, @now)
            """,
            new
            {
                id,
                sha = blob.Sha256,
                organisation,
                recordType = metadata.RecordType is { } t ? EvidenceRules.Wire(t) : null,
                metadata.RecordId,
                metadata.OriginalName,
                metadata.CollectedBy,
                metadata.CollectedAt,
                metadata.CollectedWhere,
                metadata.CollectionMethod,
                actor,
                now,
            },
            cancellationToken);

        var sha256 = Convert.FromHexString(blob.Sha256);
        var record = LeafNames.Record(metadata.RecordType, metadata.RecordId);
        var organisationName = LeafNames.Organisation(organisation);
        PendingEvent[] events =
        [
            new(id, new CustodyEvent(sha256, CustodyEventKind.Collected, metadata.CollectedAt, organisationName, actor, record), organisation, null),
            new(id, new CustodyEvent(sha256, CustodyEventKind.Uploaded, now, organisationName, actor, record), organisation, null),
        ];
        return await AppendAndCommitAsync(tx, events, async () =>
        {
            var created = await FindAsync(tx, id, CancellationToken.None) ?? throw new InvalidOperationException("Uploaded evidence is not visible to its uploader.");
            await tx.AuditAsync("evidence.upload", "evidence", id.ToString(), organisation, after: Audited(created), cancellationToken: CancellationToken.None);
            return created;
        });
    }

    /// <summary>One piece of evidence with its chain of custody; the read is audited (evidence is always restricted).</summary>
    public async Task<EvidenceView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await BeginAsync(cancellationToken);
        var evidence = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("evidence", id.ToString());
        await tx.AuditAsync("evidence.read", "evidence", id.ToString(), evidence.Owner.Id, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return evidence;
    }

    public async Task<Page<EvidenceSummary>> ListAsync(EvidenceFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var limit = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var after = Paging.DecodeId(rules, filter.Cursor);
        string? recordType = null;
        if (filter.RecordType is not null)
        {
            if (EvidenceRules.TryParse<EvidenceRecordType>(filter.RecordType, out var type))
            {
                recordType = EvidenceRules.Wire(type);
            }
            else
            {
                rules.Add("recordType", "evidence.record_type_unknown", filter.RecordType);
            }
        }

        var recordId = QueryValues.Id(rules, "recordId", filter.RecordId);
        var sha256 = filter.Sha256 is null ? null : Sha256(rules, filter.Sha256);
        rules.ThrowIfAny();

        await using var tx = await BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<ItemRow>(
            SelectItem + """

            WHERE (@after::uuid IS NULL OR e.id < @after)
              AND (@recordType::text IS NULL OR e.record_type = @recordType)
              AND (@recordId::uuid IS NULL OR e.record_id = @recordId)
              AND (@sha256::text IS NULL OR e.sha256 = @sha256)
            ORDER BY e.id DESC
            LIMIT @take
            """,
            new { after, recordType, recordId, sha256, take = limit + 1 },
            cancellationToken);
        var page = Paging.Build(rows.Select(r => r.ToSummary()).ToList(), limit, e => e.Id.ToString());
        if (page.Items.Count > 0)
        {
            await tx.AuditAsync("evidence.list", "evidence", null, detail: new { ids = page.Items.Select(e => e.Id) }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return page;
    }

    /// <summary>
    /// The file of a piece of evidence: opening it is a custody event ("viewed", a leaf in the log) and an audited
    /// read, both recorded before a single byte is sent.
    /// </summary>
    public async Task<(BlobInfo Blob, string DownloadName)> ViewFileAsync(Guid id, CancellationToken cancellationToken)
    {
        await ledger.EnsureOpenAsync(cancellationToken);
        await using var tx = await BeginAsync(cancellationToken);
        var evidence = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("evidence", id.ToString());
        var organisation = tx.Caller.OrganisationId!.Value;
        var viewed = new CustodyEvent(
            Convert.FromHexString(evidence.Sha256),
            CustodyEventKind.Viewed,
            clock.GetUtcNow(),
            LeafNames.Organisation(organisation),
            LeafNames.Actor(tx.Caller),
            RecordName(evidence));
        return await AppendAndCommitAsync(tx, [new PendingEvent(id, viewed, organisation, null)], async () =>
        {
            await tx.AuditAsync("evidence.view", "evidence", id.ToString(), evidence.Owner.Id, detail: new { evidence.Sha256 }, cancellationToken: CancellationToken.None);
            var name = evidence.OriginalName ?? $"{evidence.Sha256[..16]}.{MediaTypes.Extension(evidence.MediaType)}";
            return (new BlobInfo(evidence.Sha256, evidence.Size, evidence.MediaType), name);
        });
    }

    /// <summary>
    /// Records custody actions, in order, all or none: the caller's organisation must hold each piece of evidence at
    /// the moment its action comes (a transfer early in a batch hands later actions on that evidence to the new holder).
    /// </summary>
    public async Task<IReadOnlyList<CustodyEventView>> RecordCustodyAsync(IReadOnlyList<NewCustodyEvent>? input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (input is null || input.Count == 0)
        {
            rules.Add("events", "required");
        }
        else if (input.Count > MaxBatch)
        {
            rules.Add("events", "too_many", MaxBatch);
        }

        rules.ThrowIfAny();
        // Problems of form are collected first and reported together with those that need the evidence's state.
        var now = clock.GetUtcNow();
        var actions = new List<(Guid EvidenceId, CustodyAction Action, Guid? Counterparty, string? Note, DateTimeOffset At, bool WellFormed)>();
        for (var i = 0; i < input!.Count; i++)
        {
            var item = input[i];
            var prefix = input.Count == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"events[{i}].");
            var scoped = new FieldRules();
            if (item.EvidenceId is null)
            {
                scoped.Add("evidenceId", "required");
            }

            CustodyAction action = default;
            if (string.IsNullOrWhiteSpace(item.Kind))
            {
                scoped.Add("kind", "required");
            }
            else if (!EvidenceRules.TryParse(item.Kind, out action))
            {
                scoped.Add("kind", "evidence.kind_unknown", item.Kind);
            }

            var note = EvidenceRules.Note(scoped, item.Note, required: !scoped.HasErrors && EvidenceRules.NeedsNote(action));
            var at = EvidenceRules.Instant(scoped, "occurredAt", item.OccurredAt, now, required: false) ?? now;
            foreach (var error in scoped.Errors)
            {
                rules.Add(prefix + error.Field, error.Code, error.Args);
            }

            actions.Add((item.EvidenceId ?? Guid.Empty, action, item.CounterpartyOrganisationId, note, at, !scoped.HasErrors));
        }

        await ledger.EnsureOpenAsync(cancellationToken);
        await using var tx = await BeginAsync(cancellationToken);
        var organisation = tx.Caller.OrganisationId!.Value;
        var ids = actions.Where(a => a.WellFormed).Select(a => a.EvidenceId).Distinct().ToArray();

        // What a custody action may do depends on who holds the evidence and its status: a batch that changes them takes
        // the rows for itself, one that does not (samples, disclosures) shares them, so that those run side by side but
        // never beside a transfer. Rows are locked in id order, so two batches cannot wait for each other; rows the
        // caller does not hold are not locked (and are refused below).
        var changesState = actions.Any(a => a.WellFormed && a.Action is CustodyAction.Transferred or CustodyAction.Returned or CustodyAction.Destroyed);
        await tx.ExecuteAsync(
            $"SELECT 1 FROM evidence_items WHERE id = ANY (@ids) AND custodian_org_id = @organisation ORDER BY id FOR {(changesState ? "UPDATE" : "SHARE")}",
            new { ids, organisation },
            cancellationToken);
        var items = (await tx.QueryAsync<ItemRow>(SelectItem + " WHERE e.id = ANY (@ids)", new { ids }, cancellationToken)).ToDictionary(r => r.Id);
        var counterparties = actions.Where(a => a.Counterparty is not null).Select(a => a.Counterparty!.Value).Distinct().ToArray();
        var active = (await tx.QueryAsync<Guid>("SELECT id FROM organisations WHERE id = ANY (@counterparties) AND is_active", new { counterparties }, cancellationToken)).ToHashSet();

        var state = items.Values.ToDictionary(r => r.Id, r => (Custodian: r.CustodianOrgId, Status: Parse<EvidenceStatus>(r.Status)));
        var events = new List<PendingEvent>();
        var actor = LeafNames.Actor(tx.Caller);
        for (var i = 0; i < actions.Count; i++)
        {
            var (evidenceId, action, counterparty, note, at, wellFormed) = actions[i];
            var prefix = actions.Count == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"events[{i}].");
            if (!wellFormed)
            {
                continue;
            }

            if (!items.TryGetValue(evidenceId, out var row))
            {
                throw new RecordNotFoundException("evidence", evidenceId.ToString());
            }

            var scoped = new FieldRules();
            var before = state[evidenceId];
            var outcome = EvidenceRules.Apply(scoped, action, before.Status, before.Custodian, organisation, counterparty);
            if (counterparty is { } other && !active.Contains(other))
            {
                scoped.Add("counterpartyOrganisationId", "organisation.unknown");
            }

            foreach (var error in scoped.Errors)
            {
                rules.Add(prefix + error.Field, error.Code, error.Args);
            }

            if (scoped.HasErrors)
            {
                continue;
            }

            state[evidenceId] = (outcome.Custodian, outcome.Status);
            var custody = new CustodyEvent(
                Convert.FromHexString(row.Sha256),
                LeafNames.ToKind(action),
                at,
                LeafNames.Organisation(organisation),
                actor,
                LeafNames.Record(row.RecordType is null ? null : Parse<EvidenceRecordType>(row.RecordType), row.RecordId),
                counterparty is { } c ? LeafNames.Organisation(c) : null,
                note);
            events.Add(new PendingEvent(evidenceId, custody, organisation, counterparty));
        }

        rules.ThrowIfAny();
        return await AppendAndCommitAsync(tx, events, async () =>
        {
            foreach (var (evidenceId, (custodian, status)) in state)
            {
                var row = items[evidenceId];
                if (custodian != row.CustodianOrgId || EvidenceRules.Wire(status) != row.Status)
                {
                    await tx.ExecuteAsync(
                        "UPDATE evidence_items SET custodian_org_id = @custodian, status = @status, updated_at = @now WHERE id = @evidenceId",
                        new { custodian, status = EvidenceRules.Wire(status), now, evidenceId },
                        CancellationToken.None);
                }
            }

            var recorded = await EventsAsync(tx, "c.id = ANY (@ids)", new { ids = events.Select(e => e.Id).ToArray() }, CancellationToken.None);
            var evidenceOf = events.ToDictionary(e => e.Id, e => e.EvidenceId);
            foreach (var group in recorded.GroupBy(r => evidenceOf[r.Id]))
            {
                var mine = group.ToList();
                await tx.AuditAsync(
                    "evidence.custody",
                    "evidence",
                    group.Key.ToString(),
                    items[group.Key].OwnerOrgId,
                    before: new { custodian = items[group.Key].CustodianOrgId, status = items[group.Key].Status },
                    after: new { custodian = state[group.Key].Custodian, status = EvidenceRules.Wire(state[group.Key].Status), events = mine },
                    cancellationToken: CancellationToken.None);
            }

            return recorded;
        });
    }

    /// <summary>
    /// The receipt of a custody event of the evidence with these bytes that the caller may see: the first one, or the
    /// one at <paramref name="leafIndex"/>, under the latest signed tree head.
    /// </summary>
    /// <exception cref="RuleViolationException">(409) No signed tree head covers the leaf yet.</exception>
    public async Task<Receipt> ReceiptAsync(string sha256, string? leafIndex, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var hash = Sha256(rules, sha256);
        var index = LedgerQuery.Size(rules, "leafIndex", leafIndex);
        rules.ThrowIfAny();
        await ledger.EnsureOpenAsync(cancellationToken);
        await using var tx = await BeginAsync(cancellationToken);
        var found = await tx.QuerySingleOrDefaultAsync<(long LeafIndex, Guid EvidenceId, Guid OwnerOrgId)>(
            """
            SELECT c.leaf_index, e.id, e.owner_org_id
            FROM custody_events c JOIN evidence_items e ON e.id = c.evidence_id
            WHERE e.sha256 = @hash AND (@index::bigint IS NULL OR c.leaf_index = @index)
            ORDER BY c.leaf_index
            LIMIT 1
            """,
            new { hash, index = (long?)index },
            cancellationToken);
        if (found == default)
        {
            throw new RecordNotFoundException("evidence", hash + (index is null ? "" : "#" + index.Value.ToString(CultureInfo.InvariantCulture)));
        }

        var head = await ledger.LatestAsync(tx, cancellationToken);
        if (head.TreeSize <= (ulong)found.LeafIndex)
        {
            throw new RuleViolationException("ledger.not_signed_yet", "No signed tree head covers the leaf yet; the node signs within 10 seconds.", null, isConflict: true, found.LeafIndex);
        }

        var receipt = ledger.Log.CreateReceipt((ulong)found.LeafIndex, head);
        await tx.AuditAsync("evidence.receipt", "evidence", found.EvidenceId.ToString(), found.OwnerOrgId, detail: new { sha256 = hash, found.LeafIndex, treeSize = head.TreeSize }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return receipt;
    }

    /// <summary>Evidence attached to a record, for the record's page: what the reader may see of it.</summary>
    public async Task<IReadOnlyList<EvidenceSummary>> ForRecordAsync(EvidenceRecordType type, Guid recordId, CancellationToken cancellationToken) =>
        (await ListAsync(new EvidenceFilter(null, Paging.MaxLimit.ToString(CultureInfo.InvariantCulture), EvidenceRules.Wire(type), recordId.ToString(), null), cancellationToken)).Items;

    /// <summary>
    /// Appends the events' leaves (durably), records them with their indices in <paramref name="tx"/>, runs
    /// <paramref name="recorded"/> and commits. Once the leaves are in the log nothing may call this off: a client
    /// hanging up no longer cancels, and if recording fails the leaves are reported as unrecorded.
    /// </summary>
    private async Task<T> AppendAndCommitAsync<T>(DbTx tx, IReadOnlyList<PendingEvent> events, Func<Task<T>> recorded)
    {
        var leaves = events.Select(e => e.Event.Encode()).ToList();
        var first = await ledger.AppendAsync(leaves);
        try
        {
            await InsertEventsAsync(tx, events, leaves, first);
            var result = await recorded();
            await tx.CommitAsync(CancellationToken.None);
            return result;
        }
        catch
        {
            try
            {
                await tx.Transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection is what failed: its transaction is gone already.
            }

            await ledger.RecordUnrecordedAsync(first, leaves.Count);
            throw;
        }
    }

    private async Task InsertEventsAsync(DbTx tx, IReadOnlyList<PendingEvent> events, List<byte[]> leaves, ulong first)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO custody_events (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, counterparty_org_id, note, recorded_at)
            SELECT u.id, u.evidence_id, u.leaf_index, u.leaf_hash, u.kind, u.occurred_at, u.organisation_id, u.actor, nullif(u.counterparty, @none), u.note, @now
            FROM unnest(@ids, @evidence, @indexes, @hashes, @kinds, @times, @organisations, @actors, @counterparties, @notes)
                AS u (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, counterparty, note)
            """,
            tx.Connection,
            tx.Transaction);
        command.Parameters.Add(Array("ids", NpgsqlDbType.Uuid, events.Select(e => e.Id).ToArray()));
        command.Parameters.Add(Array("evidence", NpgsqlDbType.Uuid, events.Select(e => e.EvidenceId).ToArray()));
        command.Parameters.Add(Array("indexes", NpgsqlDbType.Bigint, events.Select((_, i) => (long)first + i).ToArray()));
        command.Parameters.Add(Array("hashes", NpgsqlDbType.Bytea, leaves.Select(leaf => Merkle.HashLeaf(leaf)).ToArray()));
        command.Parameters.Add(Array("kinds", NpgsqlDbType.Text, events.Select(e => LeafNames.Kind(e.Event.Kind)).ToArray()));
        command.Parameters.Add(Array("times", NpgsqlDbType.TimestampTz, events.Select(e => e.Event.Time).ToArray()));
        command.Parameters.Add(Array("organisations", NpgsqlDbType.Uuid, events.Select(e => e.Organisation).ToArray()));
        command.Parameters.Add(Array("actors", NpgsqlDbType.Text, events.Select(e => e.Event.Actor).ToArray()));
        command.Parameters.Add(Array("counterparties", NpgsqlDbType.Uuid, events.Select(e => e.Counterparty ?? Guid.Empty).ToArray()));
        command.Parameters.Add(Array("notes", NpgsqlDbType.Text, events.Select(e => e.Event.Note).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("none", NpgsqlDbType.Uuid) { Value = Guid.Empty });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private Task<DbTx> BeginAsync(CancellationToken cancellationToken) =>
        _actingAs is null ? db.BeginAsync(cancellationToken) : db.BeginAsync(_actingAs, cancellationToken);

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) => new(name, NpgsqlDbType.Array | type) { Value = values };

    private static async Task<EvidenceView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<ItemRow>(SelectItem + " WHERE e.id = @id", new { id }, cancellationToken);
        return row is null ? null : row.ToView(await CustodyAsync(tx, id, cancellationToken));
    }

    private static Task<IReadOnlyList<CustodyEventView>> CustodyAsync(DbTx tx, Guid evidenceId, CancellationToken cancellationToken) =>
        EventsAsync(tx, "c.evidence_id = @evidenceId", new { evidenceId }, cancellationToken);

    /// <summary>Custody events matching <paramref name="where"/> (on custody_events c), in the log's order.</summary>
    private static async Task<IReadOnlyList<CustodyEventView>> EventsAsync(DbTx tx, string where, object parameters, CancellationToken cancellationToken)
    {
        var signed = await tx.ExecuteScalarAsync<long?>("SELECT max(tree_size) FROM tree_heads", cancellationToken: cancellationToken) ?? 0;
        var rows = await tx.QueryAsync<CustodyRow>(
            """
            SELECT c.id, c.leaf_index, c.kind, c.occurred_at, c.organisation_id, o.name_en, o.name_zh, o.kind AS organisation_kind, c.actor,
                   u.display_name AS actor_name, c.counterparty_org_id, p.name_en AS counterparty_name_en, p.name_zh AS counterparty_name_zh,
                   p.kind AS counterparty_kind, c.note, c.recorded_at, e.sha256
            FROM custody_events c
            JOIN evidence_items e ON e.id = c.evidence_id
            JOIN organisations o ON o.id = c.organisation_id
            LEFT JOIN organisations p ON p.id = c.counterparty_org_id
            LEFT JOIN users u ON c.actor = 'user:' || u.id::text
            WHERE
            """ + " " + where + " ORDER BY c.leaf_index",
            parameters,
            cancellationToken);
        return [.. rows.Select(r => r.ToView(signed))];
    }

    private static string Sha256(FieldRules rules, string text)
    {
        var hash = text.Trim().ToLowerInvariant();
        if (!BlobStore.IsSha256(hash))
        {
            rules.Add("sha256", "evidence.sha256_invalid");
        }

        return hash;
    }

    private static string RecordName(EvidenceView evidence) =>
        evidence.Record is { } record ? record.Type + "/" + record.Id.ToString("D") : string.Empty;

    private static T Parse<T>(string wire)
        where T : struct, Enum =>
        EvidenceRules.TryParse<T>(wire, out var value) ? value : throw new InvalidOperationException($"Unknown {typeof(T).Name} '{wire}' in the database.");

    /// <summary>What the audit trail keeps of an upload: the description, not the chain (the log keeps that).</summary>
    private static object Audited(EvidenceView evidence) => evidence with { Custody = [] };

    /// <summary>A custody event on its way to the log and the database.</summary>
    private sealed record PendingEvent(Guid EvidenceId, CustodyEvent Event, Guid Organisation, Guid? Counterparty)
    {
        public Guid Id { get; } = Guid.CreateVersion7();
    }

    private sealed record ItemRow(
        Guid Id, string Sha256, long Size, string MediaType, string? OriginalName, string? RecordType, Guid? RecordId, string CollectedBy,
        DateTimeOffset CollectedAt, string? CollectedWhere, string? CollectionMethod, Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh,
        string OwnerKind, Guid CustodianOrgId, string CustodianNameEn, string CustodianNameZh, string CustodianKind, string Status,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        private EvidenceRecordRef? Record => RecordType is null ? null : new EvidenceRecordRef(RecordType, RecordId!.Value);

        private OrganisationRef Owner => new(OwnerOrgId, OwnerNameEn, OwnerNameZh, OwnerKind);

        private OrganisationRef Custodian => new(CustodianOrgId, CustodianNameEn, CustodianNameZh, CustodianKind);

        public EvidenceSummary ToSummary() => new(Id, Sha256, Size, MediaType, OriginalName, Record, CollectedAt, Owner, Custodian, Status, CreatedAt);

        public EvidenceView ToView(IReadOnlyList<CustodyEventView> custody) => new(
            Id, Sha256, Size, MediaType, OriginalName, Record, CollectedBy, CollectedAt, CollectedWhere, CollectionMethod, Owner, Custodian, Status,
            CreatedAt, UpdatedAt, $"/api/v1/evidence/{Id}/file", $"/api/v1/evidence/{Sha256}/receipt", custody);
    }

    private sealed record CustodyRow(
        Guid Id, long LeafIndex, string Kind, DateTimeOffset OccurredAt, Guid OrganisationId, string NameEn, string NameZh, string OrganisationKind,
        string Actor, string? ActorName, Guid? CounterpartyOrgId, string? CounterpartyNameEn, string? CounterpartyNameZh, string? CounterpartyKind,
        string Note, DateTimeOffset RecordedAt, string Sha256)
    {
        public CustodyEventView ToView(long signedSize) => new(
            Id,
            LeafIndex,
            Kind,
            OccurredAt,
            new OrganisationRef(OrganisationId, NameEn, NameZh, OrganisationKind),
            Actor,
            ActorName,
            CounterpartyOrgId is { } other ? new OrganisationRef(other, CounterpartyNameEn!, CounterpartyNameZh!, CounterpartyKind!) : null,
            Note.Length == 0 ? null : Note,
            RecordedAt,
            LeafIndex < signedSize,
            string.Create(CultureInfo.InvariantCulture, $"/api/v1/evidence/{Sha256}/receipt?leafIndex={LeafIndex}"));
    }
}
