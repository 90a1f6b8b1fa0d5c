using System.Globalization;
using System.Text.Json;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Sharing;
using Tracemark.Matching;
using Tracemark.Server.Notifications;
using Tracemark.Server.Notifications.Webhooks;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Idempotency;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Complaints;

/// <summary>A filing's outcome in a batch: its answer, or the error its request gets.</summary>
internal readonly record struct FilingOutcome(IdempotentAnswer? Answer, Exception? Error);

/// <summary>One filing of a batch, as its request handed it to the intake.</summary>
internal sealed record BatchFiling(NewNotice Input, IdempotencyTicket? Ticket);

public sealed partial class NoticeStore
{
    /// <summary>Where the answer to a filing points.</summary>
    internal static string NoticeLocation(Guid id) => $"/api/v1/complaints/notices/{id}";

    /// <summary>
    /// Files several notices of one caller in <paramref name="tx"/> with one statement per table: each filing is
    /// checked on its own as <see cref="FileAsync(DbTx, NewNotice, CancellationToken)"/> checks it (a refused one gets
    /// its own problem and takes nothing with it), the accepted ones are written together, in their order, so a
    /// listing claimed by an earlier filing of the batch links a later one. Keys are claimed and answers stored in
    /// the same transaction (with their answers, in one statement). Throws only for what fails the whole batch (the database); its caller then rolls
    /// back and files the members one by one. The caller commits.
    /// </summary>
    internal async Task<FilingOutcome[]> FileBatchAsync(DbTx tx, IReadOnlyList<BatchFiling> filings, IdempotencyAnswers keys, JsonSerializerOptions answerJson, CancellationToken cancellationToken)
    {
        // Microseconds, as the database keeps them: the answer is built from what the batch wrote, and must equal a later read.
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % 10));
        var outcomes = new FilingOutcome[filings.Count];
        var live = new List<int>();

        // Keys first: a retry gets its stored answer whatever the notice would meet today. Keys are taken only for
        // filings that pass their checks (below), so a refused request leaves its key free to be corrected and sent again.
        var keyed = Enumerable.Range(0, filings.Count).Where(i => filings[i].Ticket is not null).ToList();
        var found = await keys.FindManyAsync(tx, keyed.Select(i => filings[i].Ticket!).ToList(), now, cancellationToken);
        var foundAt = keyed.Select((i, n) => (i, n)).ToDictionary(x => x.i, x => found[x.n]);
        for (var i = 0; i < filings.Count; i++)
        {
            if (foundAt.TryGetValue(i, out var earlier) && (earlier.Answer is not null || earlier.Refusal is not null))
            {
                outcomes[i] = new FilingOutcome(earlier.Answer, earlier.Refusal);
                continue;
            }

            live.Add(i);
        }

        var caller = tx.Caller;
        var accepted = new List<Accepted>();
        if (caller.OrganisationKind is not (OrganisationKind.RightsHolder or OrganisationKind.Agent) || caller.OrganisationId is not { } complainant)
        {
            foreach (var i in live)
            {
                outcomes[i] = new FilingOutcome(null, new AccessDeniedException("complaint.holders_only", "Only rights holders, and agents acting for them, file notices."));
            }

            complainant = Guid.Empty;
            live.Clear();
        }

        // What the filings share is read once: their platforms, their rights (with the caller's standing on each), the fast track.
        var platforms = new Dictionary<Guid, PlatformView?>();
        foreach (var platformId in live.Select(i => filings[i].Input.PlatformId).OfType<Guid>().Distinct())
        {
            platforms[platformId] = await ComplaintRulesStore.FindPlatformAsync(tx, platformId, cancellationToken);
        }

        var allRights = live.SelectMany(i => filings[i].Input.RightIds ?? []).ToList();
        var rightsFound = allRights.Count == 0 ? [] : await FindRightsAsync(tx, allRights, complainant, now, cancellationToken);
        var fastTracks = new Dictionary<Guid, bool>();
        foreach (var i in live)
        {
            try
            {
                var input = filings[i].Input;
                var rules = new FieldRules();
                var content = NoticeRules.Validate(rules, input.Kind, input.RightIds, input.Listings, input.Description, input.Evidence, input.GoodFaith, input.Signature);
                var platform = input.PlatformId is { } platformId ? platforms[platformId] : null;
                var jurisdiction = await CheckPlaceAsync(rules, input, content, platform, cancellationToken);

                var ids = input.RightIds ?? [];
                var rights = ids.Count == 0 ? [] : CheckRights(rules, ids, content.Kind, rightsFound, now);
                await CheckFilesAsync(tx, rules, content, cancellationToken);
                var distribution = input.Distribution ?? Distribution.Organisation;
                await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
                rules.ThrowIfAny();

                var preset = jurisdiction!.ToPreset();
                if (!fastTracks.TryGetValue(platform!.Organisation.Id, out var fastTrack))
                {
                    fastTracks[platform.Organisation.Id] = fastTrack = await FastTrackAsync(tx, platform, complainant, now, cancellationToken);
                }

                var calendar = await calendars.GetAsync(preset.CalendarCode, cancellationToken);
                var review = ComplaintClock.ReviewDue(calendar, preset, content.Kind, fastTrack, now);
                accepted.Add(new Accepted(i, Guid.CreateVersion7(), content, platform, jurisdiction, rights, distribution, input.SharingGroupId, fastTrack, review.Due, review.Provisional));
            }
            catch (TracemarkException ex)
            {
                outcomes[i] = new FilingOutcome(null, ex);
            }
        }

        if (accepted.Count > 0)
        {
            await WriteAcceptedAsync(tx, accepted, now, cancellationToken);
            var views = await ViewsAsync(tx, accepted, cancellationToken);
            var stored = new List<(IdempotencyTicket, IdempotentAnswer)>();
            foreach (var a in accepted)
            {
                var (row, view) = views[a.Id];
                var answer = new IdempotentAnswer(
                    StatusCodes.Status201Created, "application/json; charset=utf-8", NoticeLocation(a.Id), JsonSerializer.SerializeToUtf8Bytes(view, answerJson), Replayed: false);
                outcomes[a.Index] = new FilingOutcome(answer, null);
                a.Row = row;
                if (filings[a.Index].Ticket is { } ticket)
                {
                    stored.Add((ticket, answer));
                }
            }

            // Keys are taken with their answers once the answers are known; a key another request took since the lookup
            // fails the batch, which is then filed one by one (that filing replays the other's answer).
            if ((await keys.ClaimAnsweredManyAsync(tx, stored, now, cancellationToken)).Any(claimed => !claimed))
            {
                throw new KeyTakenMeanwhileException();
            }

            await tx.AuditManyAsync(
                "complaint.file",
                "complaint_notice",
                accepted.Select(a => (a.Id.ToString(), (Guid?)complainant, (object?)Summary(a.Row!, a.Content.Listings.Count), (object?)a.Detail)).ToList(),
                cancellationToken);
            await AnnounceFiledAsync(tx, accepted, now, cancellationToken);
        }

        return outcomes;
    }

    /// <summary>The accepted filings' rows, one statement per table, in the filings' order.</summary>
    private async Task WriteAcceptedAsync(DbTx tx, List<Accepted> accepted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var chinese = Chinese;
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, description,
                good_faith_statement, signature, fast_track, distribution, sharing_group_id, review_due_at, deadlines_provisional, next_timer_at,
                created_by, created_at, updated_at)
            SELECT u.id, @complainant, u.holder, u.platform, u.jurisdiction, u.kind, 'submitted', u.description, u.statement, u.signature, u.fast_track,
                u.distribution, u.grp, u.due, u.provisional, u.due, @user, @now, @now
            FROM unnest(@ids, @holders, @platforms, @jurisdictions, @kinds, @descriptions, @statements, @signatures, @fastTracks, @distributions, @groups, @dues, @provisionals)
                 WITH ORDINALITY AS u (id, holder, platform, jurisdiction, kind, description, statement, signature, fast_track, distribution, grp, due, provisional, n)
            ORDER BY u.n
            """,
            new
            {
                complainant = tx.Caller.OrganisationId,
                user = tx.Caller.UserId,
                now,
                ids = accepted.Select(a => a.Id).ToArray(),
                holders = accepted.Select(a => a.Rights[0].OwnerOrgId).ToArray(),
                platforms = accepted.Select(a => a.Platform.Organisation.Id).ToArray(),
                jurisdictions = accepted.Select(a => a.Jurisdiction.Code).ToArray(),
                kinds = accepted.Select(a => ComplaintWire.ToWire(a.Content.Kind)).ToArray(),
                descriptions = accepted.Select(a => a.Content.Description).ToArray(),
                statements = accepted.Select(a => a.Jurisdiction.GoodFaith(chinese)).ToArray(),
                signatures = accepted.Select(a => a.Content.Signature).ToArray(),
                fastTracks = accepted.Select(a => a.FastTrack).ToArray(),
                distributions = accepted.Select(a => a.Distribution.ToWire()).ToArray(),
                groups = accepted.Select(a => a.Distribution == Distribution.Group ? a.Group : null).ToArray(),
                dues = accepted.Select(a => a.Due.ToUniversalTime()).ToArray(),
                provisionals = accepted.Select(a => a.Provisional).ToArray(),
            },
            cancellationToken);

        // Claimed in the filings' order by one statement: a listing claimed earlier in it holds a later filing's claim,
        // as it would have in two transactions one after the other (the function sees each earlier call's row).
        var listings = accepted.SelectMany(a => a.Content.Listings.Select((l, position) => (Filing: a, Listing: l, Position: position))).ToList();
        var claims = (await tx.QueryAsync<(long N, Guid ListingId, Guid HolderNoticeId)>(
            """
            SELECT u.n, c.listing_id, c.holder_notice_id
            FROM unnest(@notices, @platforms, @listingKeys) WITH ORDINALITY AS u (notice, platform, listing_key, n)
            CROSS JOIN LATERAL tm_complaint_claim_listing(u.notice, u.platform, u.listing_key, @now) c
            ORDER BY u.n
            """,
            new
            {
                notices = listings.Select(l => l.Filing.Id).ToArray(),
                platforms = listings.Select(l => l.Filing.Platform.Organisation.Id).ToArray(),
                listingKeys = listings.Select(l => l.Listing.ListingKey).ToArray(),
                now,
            },
            cancellationToken)).ToList();
        if (claims.Count != listings.Count || claims.Where((c, n) => c.N != n + 1).Any())
        {
            throw new InvalidOperationException("The listing claims of a batch did not come back one per listing, in order.");
        }

        var texts = listings.Select(l => l.Listing.SnapshotText).OfType<string>().ToList();
        var snapshots = new Queue<Platform.Blobs.BlobInfo>(await blobs.PutTextsAsync(tx, texts, cancellationToken));
        var hits = await screening.ScreenInAsync(tx, listings.Select(l => l.Listing.SnapshotText is null ? l.Listing.Title : l.Listing.Title + "\n" + l.Listing.SnapshotText).ToList(), ScreeningMode.Full, cancellationToken);
        var hitsJson = hits.Select(h => JsonSerializer.Serialize(h.Select(x => Store(x.Hit, x.Owner)).ToList(), Json)).ToArray();
        var linked = new Guid?[listings.Count];
        var snapshotShas = new string?[listings.Count];
        for (var n = 0; n < listings.Count; n++)
        {
            linked[n] = claims[n].HolderNoticeId == listings[n].Filing.Id ? null : claims[n].HolderNoticeId;
            if (linked[n] is { } other)
            {
                listings[n].Filing.LinkedTo.Add(other);
            }

            snapshotShas[n] = listings[n].Listing.SnapshotText is null ? null : snapshots.Dequeue().Sha256;
        }

        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_notice_listings (notice_id, position, listing_id, listing_ref, url, seller_id, seller_name, title, price, currency,
                snapshot_sha256, image_sha256s, hits, linked_notice_id)
            SELECT u.notice, u.position, u.register, u.listing_ref, u.url, u.seller_id, u.seller_name, u.title, u.price, u.currency, u.snapshot,
                ARRAY(SELECT jsonb_array_elements_text(u.images::jsonb)), u.hits::jsonb, u.linked
            FROM unnest(@notices, @positions, @registers, @refs, @urls, @sellerIds, @sellerNames, @titles, @prices, @currencies, @snapshots, @images, @hits, @linked)
                 WITH ORDINALITY AS u (notice, position, register, listing_ref, url, seller_id, seller_name, title, price, currency, snapshot, images, hits, linked, n)
            ORDER BY u.n
            """,
            new
            {
                notices = listings.Select(l => l.Filing.Id).ToArray(),
                positions = listings.Select(l => l.Position).ToArray(),
                registers = claims.Select(c => c.ListingId).ToArray(),
                refs = listings.Select(l => l.Listing.ListingId).ToArray(),
                urls = listings.Select(l => l.Listing.Url).ToArray(),
                sellerIds = listings.Select(l => l.Listing.SellerId).ToArray(),
                sellerNames = listings.Select(l => l.Listing.SellerName).ToArray(),
                titles = listings.Select(l => l.Listing.Title).ToArray(),
                prices = listings.Select(l => l.Listing.Price).ToArray(),
                currencies = listings.Select(l => l.Listing.Currency).ToArray(),
                snapshots = snapshotShas,
                images = listings.Select(l => JsonSerializer.Serialize(l.Listing.ImageSha256s, Json)).ToArray(),
                hits = hitsJson,
                linked,
            },
            cancellationToken);

        for (var n = 0; n < listings.Count; n++)
        {
            var (filing, listing, position) = listings[n];
            filing.ListingRows.Add(new ListingRow
            {
                NoticeId = filing.Id,
                Position = position,
                ListingRef = listing.ListingId,
                Url = listing.Url,
                SellerId = listing.SellerId,
                SellerName = listing.SellerName,
                Title = listing.Title,

                // As numeric(18, 2) keeps it (rounded half away from zero, two decimals shown).
                Price = listing.Price is { } price ? decimal.Round(price, 2, MidpointRounding.AwayFromZero) + 0.00m : null,
                Currency = listing.Currency,
                SnapshotSha256 = snapshotShas[n],
                ImageSha256s = [.. listing.ImageSha256s],
                Hits = hitsJson[n],
                LinkedNoticeId = linked[n],
            });
        }

        var rights = accepted.SelectMany(a => a.Rights.Select(r => (a.Id, Right: r))).ToList();
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_notice_rights (notice_id, right_id, type, jurisdiction, number, name, name_zh, status, expires_on)
            SELECT u.notice, u.right_id, u.type, u.jurisdiction, u.number, u.name, u.name_zh, u.status, u.expires::date
            FROM unnest(@notices, @rightIds, @types, @jurisdictions, @numbers, @names, @namesZh, @statuses, @expires)
                 AS u (notice, right_id, type, jurisdiction, number, name, name_zh, status, expires)
            """,
            new
            {
                notices = rights.Select(r => r.Id).ToArray(),
                rightIds = rights.Select(r => r.Right.Id).ToArray(),
                types = rights.Select(r => r.Right.Type).ToArray(),
                jurisdictions = rights.Select(r => r.Right.Jurisdiction).ToArray(),
                numbers = rights.Select(r => r.Right.Number).ToArray(),
                names = rights.Select(r => r.Right.Name).ToArray(),
                namesZh = rights.Select(r => r.Right.NameZh).ToArray(),
                statuses = rights.Select(r => r.Right.Status).ToArray(),
                expires = rights.Select(r => r.Right.ExpiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray(),
            },
            cancellationToken);

        foreach (var a in accepted.Where(a => a.Content.Evidence.Count > 0))
        {
            await AddEvidenceAsync(tx, a.Id, Party.Complainant, a.Content.Evidence, now, cancellationToken);
        }

        // Every listing already under an open notice: nothing for the platform to review twice.
        foreach (var a in accepted)
        {
            a.State = a.LinkedTo.Count == a.Content.Listings.Count ? NoticeState.Linked : NoticeState.Submitted;
            a.Detail = new { listings = a.Content.Listings.Count, linked = a.LinkedTo.Distinct().ToList(), fastTrack = a.FastTrack };
            a.EventId = Guid.CreateVersion7();
        }

        var linkedNotices = accepted.Where(a => a.State == NoticeState.Linked).ToList();
        if (linkedNotices.Count > 0)
        {
            await tx.ExecuteAsync(
                """
                UPDATE complaint_notices n SET state = 'linked', linked_notice_id = u.first, next_timer_at = NULL, closed_at = @now
                FROM unnest(@ids, @firsts) AS u (id, first) WHERE n.id = u.id;
                SELECT tm_complaint_timers_sync(@ids);
                """,
                new { ids = linkedNotices.Select(a => a.Id).ToArray(), firsts = linkedNotices.Select(a => a.LinkedTo[0]).ToArray(), now },
                cancellationToken);
        }

        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_events (id, notice_id, occurred_at, party, actor_org_id, actor_user_id, action, from_state, to_state, detail)
            SELECT u.id, u.notice, @now, 'complainant', @org, @user, 'file', NULL, u.to_state, u.detail::jsonb
            FROM unnest(@ids, @notices, @states, @details) WITH ORDINALITY AS u (id, notice, to_state, detail, n)
            ORDER BY u.n
            """,
            new
            {
                now,
                org = tx.Caller.OrganisationId,
                user = tx.Caller.UserId,
                ids = accepted.Select(a => a.EventId).ToArray(),
                notices = accepted.Select(a => a.Id).ToArray(),
                states = accepted.Select(a => ComplaintWire.ToWire(a.State)).ToArray(),
                details = accepted.Select(a => JsonSerializer.Serialize(a.Detail, Json)).ToArray(),
            },
            cancellationToken);
    }

    /// <summary>
    /// The new notices' views for the caller: each notice's row read back (its parties' names, its role, what the
    /// database filled in), its parts taken from what the batch wrote. Reading the parts back cost more than the rest
    /// of the batch's reads together: their read policies look the notice up again per row, and under a generic plan
    /// that became a scan of all of the caller's notices per batch. Evidence (media type and size are the blobs') and
    /// the rights of a notice naming several (their order is the database's collation) are still read.
    /// </summary>
    private async Task<Dictionary<Guid, (NoticeRow Row, NoticeView View)>> ViewsAsync(DbTx tx, List<Accepted> accepted, CancellationToken cancellationToken)
    {
        var ids = accepted.Select(a => a.Id).ToArray();
        var withEvidence = accepted.Where(a => a.Content.Evidence.Count > 0).Select(a => a.Id).ToArray();
        var withRights = accepted.Where(a => a.Rights.Count > 1).Select(a => a.Id).ToArray();

        // The reads of rights and evidence are sent only when some notice needs them: even empty, each was planned
        // afresh per batch (a custom plan every time, about 0.7 ms a batch together).
        var sql = Select + " WHERE n.id = ANY (@ids);\n";
        if (withRights.Length > 0)
        {
            sql += "SELECT notice_id, right_id AS id, type, jurisdiction, number, name, name_zh, status, expires_on AS expires FROM complaint_notice_rights WHERE notice_id = ANY (@withRights) ORDER BY name, right_id;\n";
        }

        if (withEvidence.Length > 0)
        {
            sql += """
                SELECT e.notice_id, e.sha256, e.description, e.party, b.media_type, b.size, e.added_at
                FROM complaint_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.notice_id = ANY (@withEvidence) ORDER BY e.added_at, e.id;
                """;
        }

        await using var parts = await tx.QueryMultipleAsync(sql, new { ids, withRights, withEvidence }, cancellationToken);
        var rows = (await parts.ReadAsync<NoticeRow>()).ToDictionary(r => r.Id);
        var rights = (withRights.Length > 0 ? await parts.ReadAsync<RightPartRow>() : []).ToLookup(r => r.NoticeId);
        var evidence = (withEvidence.Length > 0 ? await parts.ReadAsync<EvidencePartRow>() : []).ToLookup(r => r.NoticeId);
        var views = new Dictionary<Guid, (NoticeRow, NoticeView)>();
        foreach (var a in accepted)
        {
            var row = rows.GetValueOrDefault(a.Id) ?? throw new InvalidOperationException("A notice just filed is not visible to its complainant.");
            var filed = new TimelineEntry(
                a.EventId, row.CreatedAt, Party.Complainant, row.Complainant, "file", null, a.State, JsonbOrdered(JsonSerializer.SerializeToElement(a.Detail, Json)));
            views[a.Id] = (row, await ViewAsync(
                tx,
                row,
                a.Rights.Count > 1
                    ? rights[a.Id].Select(r => new NoticeRightView(r.Id, r.Type, r.Jurisdiction, r.Number, r.Name, r.NameZh, r.Status, r.Expires)).ToList()
                    : a.Rights.Select(r => new NoticeRightView(r.Id, r.Type, r.Jurisdiction, r.Number, r.Name, r.NameZh, r.Status, r.ExpiresOn)).ToList(),
                a.ListingRows,
                evidence[a.Id].Select(e => new EvidenceView(e.Sha256, e.Description, ComplaintWire.Parse<Party>(e.Party), e.MediaType, e.Size, e.AddedAt)).ToList(),
                [filed],
                null,
                cancellationToken));
        }

        return views;
    }

    /// <summary>
    /// A JSON value as a jsonb column gives it back: an object's keys ordered by their length in UTF-8 and then
    /// bytewise (the last of equal keys kept), so an answer built in memory reads as the stored event will.
    /// </summary>
    internal static JsonElement JsonbOrdered(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, element);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();

        static void Write(Utf8JsonWriter writer, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                    {
                        properties[property.Name] = property.Value;
                    }

                    foreach (var (name, item) in properties
                        .Select(p => (Name: p.Key, Bytes: System.Text.Encoding.UTF8.GetBytes(p.Key), Item: p.Value))
                        .OrderBy(p => p.Bytes.Length)
                        .ThenBy(p => p.Bytes, ByteOrder.Instance)
                        .Select(p => (p.Name, p.Item)))
                    {
                        writer.WritePropertyName(name);
                        Write(writer, item);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in value.EnumerateArray())
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    value.WriteTo(writer);
                    break;
            }
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>The parties of each new notice learn of it, as <see cref="AnnounceAsync"/> tells them: inbox and webhooks, one statement for all.</summary>
    private async Task AnnounceFiledAsync(DbTx tx, List<Accepted> accepted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var notifications = new List<NewNotification>();
        var webhookEvents = new List<(Guid Organisation, string Kind, Accepted Filing)>();
        foreach (var a in accepted)
        {
            var row = a.Row!;
            var kind = a.State == NoticeState.Linked ? "complaint.linked" : "complaint.filed";
            var parties = new[] { row.ComplainantOrgId, row.HolderOrgId, row.PlatformOrgId }.Distinct().ToList();
            var inbox = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["notice"] = row.Id,
                ["title"] = a.Content.Listings[0].Title,
                ["platformEn"] = row.PlatformNameEn,
                ["platformZh"] = row.PlatformNameZh,
                ["link"] = $"/complaints/{row.Id}",
            };
            foreach (var organisation in parties.Where(o => o != tx.Caller.OrganisationId))
            {
                notifications.Add(new NewNotification(kind, organisation, inbox, "complaint_notice", row.Id.ToString()));
            }

            webhookEvents.AddRange(parties.Select(o => (o, kind, a)));
        }

        var wanted = await WebhookOutbox.WantedAsync(tx, webhookEvents.Select(e => (e.Organisation, e.Kind)).Distinct().ToList(), cancellationToken);
        foreach (var (organisation, kind, a) in webhookEvents.Where(e => wanted.Contains((e.Organisation, e.Kind))))
        {
            notifications.Add(new NewNotification(
                kind, organisation, NoticeEvents.Payload(a.Row!, kind, null, now, null), "complaint_notice", a.Id.ToString(), Channel: WebhookChannel.ChannelName));
        }

        await outbox.AddManyAsync(tx, notifications, cancellationToken);
    }

    private sealed class Accepted(
        int index, Guid id, NoticeContent content, PlatformView platform, JurisdictionView jurisdiction, List<RightRow> rights, Distribution distribution,
        Guid? group, bool fastTrack, DateTimeOffset due, bool provisional)
    {
        public int Index { get; } = index;

        public Guid Id { get; } = id;

        public NoticeContent Content { get; } = content;

        public PlatformView Platform { get; } = platform;

        public JurisdictionView Jurisdiction { get; } = jurisdiction;

        public List<RightRow> Rights { get; } = rights;

        public Distribution Distribution { get; } = distribution;

        public Guid? Group { get; } = group;

        public bool FastTrack { get; } = fastTrack;

        public DateTimeOffset Due { get; } = due;

        public bool Provisional { get; } = provisional;

        public List<Guid> LinkedTo { get; } = [];

        public NoticeState State { get; set; }

        public object Detail { get; set; } = new();

        public NoticeRow? Row { get; set; }

        public Guid EventId { get; set; }

        /// <summary>The listing rows as written, for the answer.</summary>
        public List<ListingRow> ListingRows { get; } = [];
    }

    /// <summary>A key of the batch was taken by another request while the batch ran: the batch is filed again one by one.</summary>
    private sealed class KeyTakenMeanwhileException() : Exception("An Idempotency-Key of the batch was taken by another request meanwhile.");

    private sealed record RightPartRow(Guid NoticeId, Guid Id, string Type, string Jurisdiction, string? Number, string Name, string? NameZh, string Status, DateOnly? Expires);

    private sealed record EvidencePartRow(Guid NoticeId, string Sha256, string? Description, string Party, string MediaType, long Size, DateTimeOffset AddedAt);
}
