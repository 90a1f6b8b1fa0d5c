using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Core.Money;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Calendars;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Rights;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Customs;

/// <summary>
/// Detentions: created by a customs officer from screened declaration lines, moved on by the parties' steps and by
/// time (the rules are Core's <see cref="DetentionRules"/>, the periods the preset's data, the days the working-day
/// calendar of the detaining authority's country), and closed by an outcome. Every step writes the detention, its
/// history and the audit trail in one transaction, with the notices it causes.
/// </summary>
public sealed class DetentionStore(Db db, TimeProvider clock, CalendarStore calendars, NotificationOutbox outbox, BlobStore blobs, LineStore lines)
{
    /// <summary>Photos, documents and certificates: pictures, PDF and video, at most 50 MB each.</summary>
    public static readonly BlobRules EvidenceRules = new(
        50L * 1024 * 1024,
        [MediaTypes.Png, MediaTypes.Jpeg, MediaTypes.Gif, MediaTypes.WebP, MediaTypes.Pdf, MediaTypes.Mp4]);

    private static readonly string[] OfficerActions =
    [
        "declarant_notified", "declarant_objects", "declarant_consents", "extend", "proceedings_started", "release", "forfeit", "destroy", "donate",
        "refer_to_police",
    ];

    private static readonly string[] HolderDecisions = ["confirm", "deny", "proceedings"];

    private const string Select = """
        SELECT d.*, c.name_en AS customs_name_en, c.name_zh AS customs_name_zh, c.kind AS customs_kind,
               h.name_en AS holder_name_en, h.name_zh AS holder_name_zh, h.kind AS holder_kind,
               p.name_en AS preset_name_en, p.name_zh AS preset_name_zh,
               r.name_en AS referred_name_en, r.name_zh AS referred_name_zh, r.kind AS referred_kind
        FROM customs_detentions d
        JOIN organisations c ON c.id = d.owner_org_id
        JOIN organisations h ON h.id = d.holder_org_id
        JOIN customs_presets p ON p.code = d.preset_code
        LEFT JOIN organisations r ON r.id = d.referred_to_org_id
        """;

    public async Task<DetentionView> CreateAsync(NewDetention input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var measure = input.Measure ?? "detention";
        if (measure is not ("detention" or "suspension"))
        {
            rules.Add("measure", "invalid_value");
        }

        var storage = rules.Optional("storageLocation", input.StorageLocation, 500);
        var description = rules.Optional("description", input.Description, 2000);
        var unitGiven = rules.Optional("unit", input.Unit, 20);
        if (input.Quantity is <= 0)
        {
            rules.Add("quantity", "customs.quantity_zero");
        }

        if (input.GrossKg is < 0)
        {
            rules.Add("grossKg", "customs.weight_negative", input.GrossKg.Value.ToString(CultureInfo.InvariantCulture));
        }

        var hasLines = input.LineIds is { Count: > 0 };
        if (!hasLines && string.IsNullOrWhiteSpace(input.DeclarationNumber))
        {
            rules.Add("lineIds", "required");
        }
        else if (hasLines && !string.IsNullOrWhiteSpace(input.DeclarationNumber))
        {
            rules.Add("declarationNumber", "customs.lines_or_declaration");
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        CustomsAccess.RequireCustoms(tx.Caller);
        if (!tx.Caller.CanWrite)
        {
            throw new AccessDeniedException("auth.forbidden", "Detaining goods needs an officer.");
        }

        var distribution = input.Distribution ?? Distribution.Organisation;
        if (distribution == Distribution.Public)
        {
            rules.Add("distribution", "customs.never_public");
        }

        await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        // The lines, locked so that two officers cannot detain the same line twice.
        var selected = (await tx.QueryAsync<LineFacts>(
            """
            SELECT id, declaration_number, declared_on, transport_mode, importer, exporter, consignee, origin, destination, port, hs_code, description,
                   quantity, unit, value, currency, gross_kg, right_ids, review_state
            FROM customs_lines
            WHERE (@ids::uuid[] IS NOT NULL AND id = ANY (@ids)) OR (@ids::uuid[] IS NULL AND declaration_number = @number AND review_state = 'open')
            ORDER BY declaration_number, line_no
            FOR UPDATE
            """,
            new { ids = hasLines ? input.LineIds!.Distinct().ToArray() : null, number = input.DeclarationNumber?.Trim() },
            cancellationToken)).ToList();
        if (hasLines && selected.Count != input.LineIds!.Distinct().Count())
        {
            rules.Add("lineIds", "customs.line_unknown");
        }
        else if (selected.Count == 0)
        {
            rules.Add(hasLines ? "lineIds" : "declarationNumber", "customs.line_unknown");
        }

        if (selected.Any(l => l.ReviewState == "detained"))
        {
            rules.Add("lineIds", "customs.line_already_detained");
        }

        if (selected.Select(l => l.DeclarationNumber).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            rules.Add("lineIds", "customs.lines_of_several_declarations");
        }

        var units = selected.Select(l => TradeUnits.Fold(l.Unit)).Distinct(StringComparer.Ordinal).ToList();
        if (unitGiven is null && units.Count > 1)
        {
            rules.Add("unit", "customs.units_differ", string.Join(", ", units));
        }

        rules.ThrowIfAny();

        // The rights concerned: as given (visible ones only), or those the screening found on the lines.
        var rightIds = (input.RightIds is { Count: > 0 } ? input.RightIds : selected.SelectMany(l => l.RightIds)).Distinct().ToArray();
        var rights = (await tx.QueryAsync<(Guid Id, Guid OwnerOrgId)>("SELECT id, owner_org_id FROM rights WHERE id = ANY (@rightIds)", new { rightIds }, cancellationToken)).ToList();
        if (rightIds.Length == 0)
        {
            rules.Add("rightIds", "customs.rights_required");
        }
        else if (rights.Count != rightIds.Length)
        {
            rules.Add("rightIds", "customs.right_unknown");
        }
        else if (rights.Select(r => r.OwnerOrgId).Distinct().Count() > 1)
        {
            rules.Add("rightIds", "customs.rights_of_several_holders");
        }

        var first = selected[0];
        var rates = await RateStore.LoadAsync(tx, cancellationToken);
        decimal value = 0;
        foreach (var line in selected)
        {
            if (rates.Convert(line.Value, line.Currency.Trim(), first.Currency.Trim()) is { } converted)
            {
                value += converted;
            }
            else
            {
                rules.Add("lineIds", "customs.rate_unknown", line.Currency.Trim());
            }
        }

        var country = await tx.QuerySingleAsync<string>("SELECT country FROM organisations WHERE id = @org", new { org = tx.Caller.OrganisationId }, cancellationToken);
        var presetCode = await PresetStore.ForCountryAsync(tx, country, cancellationToken);
        if (presetCode is null)
        {
            throw new RuleViolationException("customs.no_preset", $"No border-measure preset applies in {country}.", null, isConflict: false, country);
        }

        rules.ThrowIfAny();
        var preset = await PresetStore.LoadAsync(tx, presetCode, cancellationToken);
        var calendar = await CalendarAsync(country, cancellationToken);
        var now = clock.GetUtcNow();
        var quantity = input.Quantity ?? selected.Sum(l => l.Quantity);
        var unit = unitGiven ?? first.Unit;
        var grossKg = input.GrossKg ?? (selected.All(l => l.GrossKg is not null) ? selected.Sum(l => l.GrossKg!.Value) : null);
        var presentedAt = calendar.EndOfDay(first.DeclaredOn.AddDays(-1));
        var step = DetentionRules.Start(
            preset,
            new DetentionStart(
                input.Mode ?? (preset.Modes.Contains(DetentionMode.Application) && await AppliedForHereAsync(tx, rightIds, country, cancellationToken)
                    ? DetentionMode.Application
                    : DetentionMode.ExOfficio),
                input.Procedure ?? DetentionProcedure.Standard,
                input.Perishable ?? false,
                now,
                presentedAt,
                quantity,
                unit,
                grossKg,
                input.DeclarantNotified ?? false),
            calendar);
        var notice = DetentionRules.NoticeDue(preset, now, presentedAt, calendar);
        var holder = rights[0].OwnerOrgId;
        var declarant = first.Importer ?? first.Consignee ?? first.Exporter ?? "-";
        var id = Guid.CreateVersion7();
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_detentions (id, owner_org_id, origin_node_id, distribution, sharing_group_id, preset_code, calendar_code, measure, mode,
                procedure, perishable, state, holder_org_id, right_ids, declaration_number, presented_on, port, transport_mode, origin, destination,
                declarant, description, hs_code, product_category, quantity, unit, gross_kg, value_amount, value_currency, storage_location,
                detained_at, detained_from, notice_due_at, declarant_notified_at, timer, due_at, due_provisional, created_by, created_at, updated_at)
            VALUES (@id, @org, (SELECT id FROM nodes WHERE is_local), @distribution, @group, @presetCode, @calendar, @measure, @mode, @procedure,
                @perishable, @state, @holder, @rightIds, @number, @presentedOn, @port, @transportMode, @origin, @destination, @declarant, @description,
                @hs, @category, @quantity, @unit, @grossKg, @value, @currency, @storage, @now, @detainedFrom, @noticeDue, @declarantNotifiedAt,
                @timer, @due, @provisional, @user, @now, @now)
            """,
            new
            {
                id,
                org = tx.Caller.OrganisationId,
                distribution = distribution.ToWire(),
                group = input.SharingGroupId,
                presetCode,
                calendar = calendar.Code,
                measure,
                mode = DetentionRules.Wire(step.Facts.Mode),
                procedure = DetentionRules.Wire(step.Facts.Procedure),
                perishable = step.Facts.Perishable,
                state = DetentionRules.Wire(step.Facts.State),
                holder,
                rightIds,
                number = first.DeclarationNumber,
                presentedOn = first.DeclaredOn,
                port = first.Port,
                transportMode = first.TransportMode,
                origin = first.Origin.Trim(),
                destination = first.Destination.Trim(),
                declarant,
                description = description ?? Truncate(string.Join("; ", selected.Select(l => l.Description).Distinct(StringComparer.Ordinal)), 2000),
                hs = first.HsCode,
                category = ProductCategories.Of(first.HsCode),
                quantity,
                unit,
                grossKg,
                value = Math.Round(value, 2, MidpointRounding.AwayFromZero),
                currency = first.Currency.Trim(),
                storage,
                now,
                detainedFrom = step.Facts.DetainedFrom,
                noticeDue = notice.Due,
                declarantNotifiedAt = step.Facts.DeclarantNotifiedAt,
                timer = step.Schedule.Timer is { } t ? DetentionRules.Wire(t) : null,
                due = step.Schedule.Due,
                provisional = step.Schedule.Provisional,
                user = tx.Caller.UserId,
            },
            cancellationToken);
        await tx.ExecuteAsync(
            "INSERT INTO customs_detention_lines (detention_id, line_id) SELECT @id, unnest(@lineIds)",
            new { id, lineIds = selected.Select(l => l.Id).ToArray() },
            cancellationToken);
        await tx.ExecuteAsync(
            "UPDATE customs_lines SET review_state = 'detained', reviewed_by = @user, reviewed_at = @now WHERE id = ANY (@lineIds)",
            new { lineIds = selected.Select(l => l.Id).ToArray(), user = tx.Caller.UserId, now },
            cancellationToken);
        await EventAsync(tx, id, "detain", null, step, new { measure, mode = DetentionRules.Wire(step.Facts.Mode), lines = selected.Count }, cancellationToken);

        // The notices the law requires, due within the preset's period: the holder's goes out now, in the platform;
        // the declarant's is a letter an officer sends (or handed over at detention) and records.
        var reference = Reference(await tx.ExecuteScalarAsync<long>("SELECT number FROM customs_detentions WHERE id = @id", new { id }, cancellationToken));
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_notices (id, detention_id, party, addressee, channel, due_at, sent_at, created_at) VALUES
                (@holderNotice, @id, 'right_holder', (SELECT name_en FROM organisations WHERE id = @holder), 'in_app', @due, @now, @now),
                (@declarantNotice, @id, 'declarant', @declarant, 'letter', @due, @declarantSent, @now)
            """,
            new
            {
                holderNotice = Guid.CreateVersion7(),
                declarantNotice = Guid.CreateVersion7(),
                id,
                holder,
                declarant,
                due = notice.Due,
                now,
                declarantSent = step.Facts.DeclarantNotifiedAt,
            },
            cancellationToken);
        var marks = await tx.QueryAsync<string>("SELECT name FROM rights WHERE id = ANY (@rightIds) ORDER BY name", new { rightIds }, cancellationToken);
        await outbox.AddAsync(
            tx,
            new NewNotification(
                "customs.detained",
                holder,
                new
                {
                    reference,
                    marks = string.Join(", ", marks.Distinct(StringComparer.Ordinal)),
                    due = step.Schedule.Due is { } d ? Instant(d) : "-",
                    link = "/customs/detentions/" + id,
                },
                "customs_detention",
                id.ToString(),
                DedupeKey: "customs.detained:" + id),
            cancellationToken);
        var created = await ViewAsync(tx, id, cancellationToken);
        await tx.AuditAsync("customs.detention.create", "customs_detention", id.ToString(), tx.Caller.OrganisationId, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<DetentionView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var view = await ViewAsync(tx, id, cancellationToken);
        await tx.AuditAsync("customs.detention.read", "customs_detention", id.ToString(), view.Customs.Id, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    public async Task<Page<DetentionSummary>> ListAsync(DetentionFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var after = Paging.DecodeId(rules, filter.Cursor);
        if (filter.State is not null && !DetentionRules.TryParse<DetentionState>(filter.State, out _))
        {
            rules.Add("state", "invalid_value");
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = (await tx.QueryAsync<DetentionRow>(
            Select + """

            WHERE (@after::uuid IS NULL OR d.id < @after) AND (@state::text IS NULL OR d.state = @state)
            ORDER BY d.id DESC LIMIT @take
            """,
            new { after, state = filter.State, take = take + 1 },
            cancellationToken)).ToList();
        var page = Paging.Build(
            rows.Select(r => new DetentionSummary(
                    r.Id, Reference(r.Number), r.State, r.Customs, r.Holder, r.Description, r.Quantity, r.Unit, new MoneyView(r.ValueAmount, r.ValueCurrency.Trim()),
                    r.Port, r.Timer, r.DueAt, DetentionWords.WaitingFor(r.State, r.Timer), r.DetainedAt))
                .ToList(),
            take,
            d => d.Id.ToString());
        if (page.Items.Count > 0)
        {
            await tx.AuditAsync("customs.detention.list", "customs_detention", null, detail: new { ids = page.Items.Select(i => i.Id) }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return page;
    }

    /// <summary>The detaining authority moves the storage location or widens who may see the detention (never narrows).</summary>
    public async Task<DetentionView> ChangeAsync(Guid id, DetentionChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var storage = change.StorageLocation is null ? null : rules.Optional("storageLocation", change.StorageLocation, 500) ?? "";
        if (change.Distribution == Distribution.Public)
        {
            rules.Add("distribution", "customs.never_public");
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await OwnRowAsync(tx, id, cancellationToken);
        var distribution = change.Distribution ?? Distributions.Parse(row.Distribution);
        var group = change.Distribution is null && change.SharingGroupId is null ? row.SharingGroupId : change.SharingGroupId;
        if (distribution != Distributions.Parse(row.Distribution) || group != row.SharingGroupId)
        {
            await DistributionGuard.CheckGroupAsync(tx, rules, distribution, group, cancellationToken);
            rules.ThrowIfAny();
            await DistributionGuard.CheckWidenOnlyAsync(tx, Distributions.Parse(row.Distribution), row.SharingGroupId, distribution, group, cancellationToken);
        }

        var before = await ViewAsync(tx, id, cancellationToken);
        await tx.ExecuteAsync(
            """
            UPDATE customs_detentions SET storage_location = CASE WHEN @storage::text IS NULL THEN storage_location ELSE nullif(@storage, '') END,
                distribution = @distribution, sharing_group_id = @group, version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new { id, storage, distribution = distribution.ToWire(), group = distribution == Distribution.Group ? group : null, now = clock.GetUtcNow() },
            cancellationToken);
        var after = await ViewAsync(tx, id, cancellationToken);
        await tx.AuditAsync(after.Distribution != before.Distribution ? "customs.detention.widen" : "customs.detention.change", "customs_detention", id.ToString(), row.OwnerOrgId, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>A step by the detaining customs organisation (see <see cref="DetentionActionInput"/>).</summary>
    public async Task<DetentionView> ActAsync(Guid id, DetentionActionInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var wire = input.Action?.Trim();
        if (string.IsNullOrEmpty(wire))
        {
            rules.Add("action", "required");
        }
        else if (!OfficerActions.Contains(wire, StringComparer.Ordinal))
        {
            rules.Add("action", "customs.action_unknown", wire, string.Join(", ", OfficerActions));
        }

        var note = rules.Optional("note", input.Note, 5000);
        var reasons = rules.Optional("reasons", input.Reasons, 5000);
        var certificate = rules.Optional("certificate", input.Certificate, 200);
        var recipient = rules.Optional("recipient", input.Recipient, 300);
        var proceedings = rules.Optional("proceedingsReference", input.ProceedingsReference, 200);
        var date = Dates.Parse(rules, "date", input.Date);
        if (wire == "destroy" && certificate is null)
        {
            rules.Add("certificate", "required");
        }

        if (wire == "destroy" && date is null && input.Date is null)
        {
            rules.Add("date", "required");
        }

        if (wire == "donate" && recipient is null)
        {
            rules.Add("recipient", "required");
        }

        if (wire == "refer_to_police" && input.PoliceOrgId is null)
        {
            rules.Add("policeOrgId", "required");
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await OwnRowAsync(tx, id, cancellationToken);
        var calendar = await CalendarAsync(row.CalendarCode, cancellationToken);
        var now = clock.GetUtcNow();
        if (date is { } day && day > calendar.LocalDay(now))
        {
            rules.Add("date", "customs.date_in_future", Dates.Format(day));
        }

        if (wire == "refer_to_police")
        {
            var kind = await tx.QuerySingleOrDefaultAsync<string>("SELECT kind FROM organisations WHERE id = @PoliceOrgId", input, cancellationToken);
            if (kind is not ("police" or "prosecutor"))
            {
                rules.Add("policeOrgId", "customs.not_police");
            }
        }

        rules.ThrowIfAny();
        var action = DetentionRules.Parse<DetentionAction>(wire!);
        var preset = await PresetStore.LoadAsync(tx, row.PresetCode, cancellationToken);
        var before = await ViewAsync(tx, id, cancellationToken);
        var step = DetentionRules.Apply(preset, row.Facts(), action, now, calendar);
        await SaveAsync(tx, row, step, now, cancellationToken);
        switch (action)
        {
            case DetentionAction.DeclarantNotified:
                await tx.ExecuteAsync("UPDATE customs_notices SET sent_at = @now WHERE detention_id = @id AND party = 'declarant'", new { id, now }, cancellationToken);
                break;
            case DetentionAction.DeclarantObjects or DetentionAction.DeclarantConsents:
                await tx.ExecuteAsync("UPDATE customs_detentions SET declarant_reasons = @reasons WHERE id = @id", new { id, reasons }, cancellationToken);
                break;
            case DetentionAction.ProceedingsStarted:
                await tx.ExecuteAsync("UPDATE customs_detentions SET proceedings_reference = @proceedings WHERE id = @id", new { id, proceedings }, cancellationToken);
                break;
            case DetentionAction.Destroy or DetentionAction.Donate or DetentionAction.Release or DetentionAction.Forfeit:
                await tx.ExecuteAsync(
                    """
                    UPDATE customs_detentions SET outcome_on = @day, destruction_certificate = coalesce(@certificate, destruction_certificate),
                        donation_recipient = coalesce(@recipient, donation_recipient), outcome_note = coalesce(@note, outcome_note)
                    WHERE id = @id
                    """,
                    new { id, day = date ?? calendar.LocalDay(now), certificate, recipient, note },
                    cancellationToken);
                break;
            case DetentionAction.ReferToPolice:
                await tx.ExecuteAsync(
                    "UPDATE customs_detentions SET referred_to_org_id = @PoliceOrgId, referred_at = @now, outcome_note = coalesce(@note, outcome_note) WHERE id = @id",
                    new { id, input.PoliceOrgId, now, note },
                    cancellationToken);
                break;
        }

        await EventAsync(tx, id, wire!, row.State, step, new { note, reasons, certificate, recipient, proceedings, date, input.PoliceOrgId }, cancellationToken);
        if (action == DetentionAction.ReferToPolice)
        {
            // The package is made once, now, and kept by its SHA-256: what the police download later is what was handed over.
            var package = await HandoverAsync(tx, id, cancellationToken);
            var stored = await blobs.PutAsync(tx, new MemoryStream(package.Zip, writable: false), HandoverPackage.Rules, "package", cancellationToken);
            await tx.ExecuteAsync("UPDATE customs_detentions SET handover_sha256 = @Sha256 WHERE id = @id", new { id, stored.Sha256 }, cancellationToken);
            await outbox.AddAsync(
                tx,
                new NewNotification("customs.referred", input.PoliceOrgId!.Value, new { reference = Reference(row.Number), link = "/customs/detentions/" + id },
                    "customs_detention", id.ToString(), DedupeKey: "customs.referred:" + id),
                cancellationToken);
        }

        await NotifyHolderAsync(tx, row, step, cancellationToken);
        var after = await ViewAsync(tx, id, cancellationToken);
        await tx.AuditAsync("customs.detention." + wire, "customs_detention", id.ToString(), row.OwnerOrgId, Summary(before), Summary(after), new { step.Note }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>The right holder (or its agent) answers in one step: confirm, deny or proceedings started, with its reasons.</summary>
    public async Task<DetentionView> RespondAsync(Guid id, HolderResponse response, CancellationToken cancellationToken)
    {
        // Who may answer at all comes before what the answer says: customs gets 403 for any body.
        await using var tx = await db.BeginAsync(cancellationToken);
        if (tx.Caller.OrganisationKind is not (OrganisationKind.RightsHolder or OrganisationKind.Agent))
        {
            throw new AccessDeniedException("customs.holder_only", "Only the right holder concerned (or its agent) answers a detention.");
        }

        var rules = new FieldRules();
        var decision = response.Decision?.Trim();
        if (string.IsNullOrEmpty(decision))
        {
            rules.Add("decision", "required");
        }
        else if (!HolderDecisions.Contains(decision, StringComparer.Ordinal))
        {
            rules.Add("decision", "customs.decision_unknown", decision, string.Join(", ", HolderDecisions));
        }

        var reasons = rules.Required("reasons", response.Reasons, 5000);
        var proceedings = rules.Optional("proceedingsReference", response.ProceedingsReference, 200);
        string? securityCurrency = null;
        if (response.SecurityAmount is not null || response.SecurityCurrency is not null)
        {
            if (response.SecurityAmount is null)
            {
                rules.Add("securityAmount", "required");
            }
            else if (response.SecurityAmount < 0)
            {
                rules.Add("securityAmount", "customs.value_negative", response.SecurityAmount.Value.ToString(CultureInfo.InvariantCulture));
            }

            securityCurrency = Currencies.Normalise(response.SecurityCurrency);
            if (string.IsNullOrWhiteSpace(response.SecurityCurrency))
            {
                rules.Add("securityCurrency", "required");
            }
            else if (securityCurrency is null)
            {
                rules.Add("securityCurrency", "currency.unknown", response.SecurityCurrency.Trim());
            }
        }

        rules.ThrowIfAny();
        var row = await RowAsync(tx, id, forUpdate: true, cancellationToken) ?? throw new RecordNotFoundException("customs_detention", id.ToString());
        if (!await ActsForHolderAsync(tx, row, cancellationToken))
        {
            throw new AccessDeniedException("customs.holder_only", "Only the right holder concerned (or its agent) answers a detention.");
        }

        // Where the preset says so (PRC), applying for action after an ex officio notice needs security posted with it.
        if (decision == "confirm" && row.State == DetentionRules.Wire(DetentionState.AwaitingApplication) && response.SecurityAmount is null
            && await tx.ExecuteScalarAsync<bool>("SELECT application_security FROM customs_presets WHERE code = @PresetCode", row, cancellationToken))
        {
            throw new InputValidationException("securityAmount", "customs.security_required", row.PresetCode);
        }

        var action = decision switch
        {
            "confirm" => DetentionAction.HolderConfirms,
            "deny" => DetentionAction.HolderDenies,
            _ => DetentionAction.ProceedingsStarted,
        };
        var now = clock.GetUtcNow();
        var preset = await PresetStore.LoadAsync(tx, row.PresetCode, cancellationToken);
        var calendar = await CalendarAsync(row.CalendarCode, cancellationToken);
        var before = await ViewAsync(tx, id, cancellationToken);
        var step = DetentionRules.Apply(preset, row.Facts(), action, now, calendar);
        await SaveAsync(tx, row, step, now, cancellationToken);
        await tx.ExecuteAsync(
            """
            UPDATE customs_detentions SET holder_reasons = @reasons, holder_responded_at = @now,
                security_amount = coalesce(@amount, security_amount), security_currency = coalesce(@currency, security_currency),
                proceedings_reference = coalesce(@proceedings, proceedings_reference)
            WHERE id = @id
            """,
            new { id, reasons, now, amount = response.SecurityAmount, currency = securityCurrency, proceedings },
            cancellationToken);
        await EventAsync(tx, id, "holder_" + decision, row.State, step, new { reasons, response.SecurityAmount, securityCurrency, proceedings }, cancellationToken);
        await outbox.AddAsync(
            tx,
            new NewNotification(
                "customs.holder_responded",
                row.OwnerOrgId,
                new { holder = row.HolderNameEn, reference = Reference(row.Number), decision, link = "/customs/detentions/" + id },
                "customs_detention",
                id.ToString()),
            cancellationToken);
        var after = await ViewAsync(tx, id, cancellationToken);
        await tx.AuditAsync("customs.detention.holder_" + decision, "customs_detention", id.ToString(), row.OwnerOrgId, Summary(before), Summary(after), new { step.Note }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    public async Task<EvidenceView> AddEvidenceAsync(Guid id, Stream content, string? kind, string? caption, string? fileName, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var evidenceKind = string.IsNullOrWhiteSpace(kind) ? "photo" : kind.Trim();
        if (evidenceKind is not ("photo" or "document" or "certificate" or "other"))
        {
            rules.Add("kind", "invalid_value");
        }

        var text = rules.Optional("caption", caption, 500);
        var name = string.IsNullOrWhiteSpace(fileName) ? null : Truncate(Path.GetFileName(fileName), 255);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await OwnRowAsync(tx, id, cancellationToken);
        var blob = await blobs.PutAsync(tx, content, EvidenceRules, "file", cancellationToken);
        var evidenceId = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_detention_evidence (id, detention_id, sha256, kind, caption, file_name, uploaded_by_org_id, uploaded_by, uploaded_at)
            VALUES (@evidenceId, @id, @Sha256, @evidenceKind, @text, @name, @org, @user, @now)
            """,
            new { evidenceId, id, blob.Sha256, evidenceKind, text, name, org = tx.Caller.OrganisationId, user = tx.Caller.UserId, now },
            cancellationToken);
        await tx.AuditAsync("customs.detention.add_evidence", "customs_detention", id.ToString(), row.OwnerOrgId, after: new { evidenceId, blob.Sha256, evidenceKind, text }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new EvidenceView(evidenceId, evidenceKind, text, name, blob.Sha256, blob.MediaType, blob.Size, EvidenceUrl(id, evidenceId), now);
    }

    /// <summary>A photo or document of a detention the caller may see (audited read).</summary>
    public async Task<(BlobInfo Blob, string? FileName)> ReadEvidenceAsync(Guid id, Guid evidenceId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var found = await tx.QuerySingleOrDefaultAsync<(string Sha256, long Size, string MediaType, string? FileName, Guid OwnerOrgId)>(
            """
            SELECT b.sha256, b.size, b.media_type, e.file_name, d.owner_org_id
            FROM customs_detention_evidence e JOIN customs_detentions d ON d.id = e.detention_id JOIN blobs b ON b.sha256 = e.sha256
            WHERE e.id = @evidenceId AND e.detention_id = @id
            """,
            new { id, evidenceId },
            cancellationToken);
        if (found.Sha256 is null)
        {
            throw new RecordNotFoundException("customs_evidence", evidenceId.ToString());
        }

        await tx.AuditAsync("customs.detention.read_evidence", "customs_detention", id.ToString(), found.OwnerOrgId, detail: new { evidenceId, found.Sha256 }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (new BlobInfo(found.Sha256, found.Size, found.MediaType), found.FileName);
    }

    /// <summary>A storage, destruction or other cost of the detention, charged to the right holder.</summary>
    public async Task<CostView> AddCostAsync(Guid id, NewCost cost, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var kind = string.IsNullOrWhiteSpace(cost.Kind) ? null : cost.Kind.Trim();
        if (kind is null)
        {
            rules.Add("kind", "required");
        }
        else if (kind is not ("storage" or "destruction" or "transport" or "other"))
        {
            rules.Add("kind", "invalid_value");
        }

        if (cost.Amount is null)
        {
            rules.Add("amount", "required");
        }
        else if (cost.Amount <= 0)
        {
            rules.Add("amount", "customs.cost_not_positive");
        }

        var currency = Currencies.Normalise(cost.Currency);
        if (string.IsNullOrWhiteSpace(cost.Currency))
        {
            rules.Add("currency", "required");
        }
        else if (currency is null)
        {
            rules.Add("currency", "currency.unknown", cost.Currency.Trim());
        }

        var note = rules.Optional("note", cost.Note, 1000);
        var incurred = Dates.Parse(rules, "incurredOn", cost.IncurredOn);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await OwnRowAsync(tx, id, cancellationToken);
        var now = clock.GetUtcNow();
        var costId = Guid.CreateVersion7();
        var day = incurred ?? DateOnly.FromDateTime(now.UtcDateTime);
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_costs (id, detention_id, kind, amount, currency, charged_to_org_id, incurred_on, note, recorded_by_org_id, recorded_by, recorded_at)
            VALUES (@costId, @id, @kind, @Amount, @currency, @holder, @day, @note, @org, @user, @now)
            """,
            new { costId, id, kind, cost.Amount, currency, holder = row.HolderOrgId, day, note, org = tx.Caller.OrganisationId, user = tx.Caller.UserId, now },
            cancellationToken);
        await tx.AuditAsync("customs.detention.add_cost", "customs_detention", id.ToString(), row.OwnerOrgId, after: new { costId, kind, cost.Amount, currency, day, note }, cancellationToken: cancellationToken);
        var view = (await ViewAsync(tx, id, cancellationToken)).Costs.Single(c => c.Id == costId);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The hand-over package of a detention referred to the police: for the detaining authority and the police organisation (audited read).</summary>
    public async Task<(BlobInfo Blob, string FileName)> PackageAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await RowAsync(tx, id, forUpdate: false, cancellationToken) ?? throw new RecordNotFoundException("customs_detention", id.ToString());
        if (row.HandoverSha256 is null)
        {
            throw new RuleViolationException("customs.not_referred", "The detention has not been referred to the police.", null, isConflict: true);
        }

        if (row.OwnerOrgId != tx.Caller.OrganisationId && row.ReferredToOrgId != tx.Caller.OrganisationId)
        {
            throw new AccessDeniedException("customs.package_not_yours", "Only the detaining authority and the police organisation it referred the case to receive the package.");
        }

        var blob = await blobs.FindAsync(tx, row.HandoverSha256, cancellationToken) ?? throw new RecordNotFoundException("customs_package", row.HandoverSha256);
        await tx.AuditAsync("customs.detention.read_package", "customs_detention", id.ToString(), row.OwnerOrgId, detail: new { blob.Sha256 }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (blob, Reference(row.Number) + "-handover.zip");
    }

    /// <summary>Moves a detention whose deadline passed (the sweep runs this in a transaction without a caller); false when there was nothing to do.</summary>
    internal async Task<bool> ExpireAsync(DbTx system, Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await RowAsync(system, id, forUpdate: true, cancellationToken);
        if (row is null || row.DueAt is null || row.DueAt > now)
        {
            return false;
        }

        var preset = await PresetStore.LoadAsync(system, row.PresetCode, cancellationToken);
        var calendar = await CalendarAsync(row.CalendarCode, cancellationToken);
        DetentionStep step;
        try
        {
            step = DetentionRules.Apply(preset, row.Facts(), DetentionAction.DeadlinePassed, now, calendar);
        }
        catch (RuleViolationException)
        {
            // The stored deadline is stale (the preset's period or the calendar changed since): keep the facts, refresh the schedule.
            var schedule = DetentionRules.Schedule(preset, row.Facts(), calendar);
            await system.ExecuteAsync(
                "UPDATE customs_detentions SET timer = @timer, due_at = @due, due_provisional = @provisional WHERE id = @id",
                new { id, timer = schedule.Timer is { } t ? DetentionRules.Wire(t) : null, due = schedule.Due, provisional = schedule.Provisional },
                cancellationToken);
            return false;
        }

        await SaveAsync(system, row, step, now, cancellationToken);
        await system.ExecuteAsync(
            """
            INSERT INTO customs_detention_events (detention_id, at, action, from_state, to_state, note, detail)
            VALUES (@id, @now, 'deadline_passed', @from, @to, @note, @detail::jsonb)
            """,
            new
            {
                id,
                now,
                from = row.State,
                to = DetentionRules.Wire(step.Facts.State),
                step.Note,
                detail = System.Text.Json.JsonSerializer.Serialize(new { timer = row.Timer, due = row.DueAt }),
            },
            cancellationToken);
        await system.AuditAsync(
            "customs.detention.deadline_passed",
            "customs_detention",
            id.ToString(),
            row.OwnerOrgId,
            new { row.State, row.Timer, row.DueAt },
            new { state = DetentionRules.Wire(step.Facts.State), step.Note },
            cancellationToken: cancellationToken);
        foreach (var recipient in new[] { row.OwnerOrgId, row.HolderOrgId })
        {
            await outbox.AddAsync(
                system,
                new NewNotification(
                    "customs.deadline_passed",
                    recipient,
                    new { reference = Reference(row.Number), link = "/customs/detentions/" + id },
                    "customs_detention",
                    id.ToString(),
                    DedupeKey: string.Create(CultureInfo.InvariantCulture, $"customs.deadline:{id}:{row.Timer}:{row.DueAt:O}:{recipient}")),
                cancellationToken);
        }

        return true;
    }

    internal static string Reference(long number) => string.Create(CultureInfo.InvariantCulture, $"D-{number:D6}");

    internal static string EvidenceUrl(Guid id, Guid evidenceId) => $"/api/v1/customs/detentions/{id}/evidence/{evidenceId}";

    private async Task<WorkingDayCalendar> CalendarAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            return await calendars.GetAsync(code, cancellationToken);
        }
        catch (RecordNotFoundException)
        {
            throw new RuleViolationException("customs.no_calendar", $"There is no working-day calendar for {code}.", null, isConflict: false, code);
        }
    }

    /// <summary>
    /// Whether a granted application for action (EU) covers these rights here: a detention is then on the holder's
    /// application. A recordation alone (PRC) makes customs act on its own motion and ask the holder to apply.
    /// </summary>
    private static Task<bool> AppliedForHereAsync(DbTx tx, Guid[] rightIds, string country, CancellationToken cancellationToken) =>
        tx.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (
                SELECT 1 FROM recordation_rights rr JOIN recordations c ON c.id = rr.recordation_id
                WHERE rr.right_id = ANY (@rightIds) AND c.status = 'granted' AND c.kind = 'application_for_action'
                  AND (c.valid_until IS NULL OR c.valid_until >= (tm_now() AT TIME ZONE 'UTC')::date)
                  AND (c.jurisdiction = @country OR (c.jurisdiction IN ('EM', 'EU') AND @eu)))
            """,
            new { rightIds, country, eu = CustomsJurisdictions.EuMemberStates.Contains(country) },
            cancellationToken);

    private static async Task<bool> ActsForHolderAsync(DbTx tx, DetentionRow row, CancellationToken cancellationToken) =>
        row.HolderOrgId == tx.Caller.OrganisationId
        || await tx.ExecuteScalarAsync<bool>("SELECT @holder = ANY (tm_represented())", new { holder = row.HolderOrgId }, cancellationToken);

    private static async Task<DetentionRow> OwnRowAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await RowAsync(tx, id, forUpdate: true, cancellationToken) ?? throw new RecordNotFoundException("customs_detention", id.ToString());
        if (row.OwnerOrgId != tx.Caller.OrganisationId)
        {
            throw new AccessDeniedException("customs.not_detaining_authority", "Only the customs organisation that detained the goods acts on the detention.");
        }

        if (!tx.Caller.CanWrite)
        {
            throw new AccessDeniedException("auth.forbidden", "Acting on a detention needs an officer.");
        }

        return row;
    }

    private static Task<DetentionRow?> RowAsync(DbTx tx, Guid id, bool forUpdate, CancellationToken cancellationToken) =>
        tx.QuerySingleOrDefaultAsync<DetentionRow>(Select + " WHERE d.id = @id" + (forUpdate ? " FOR UPDATE OF d" : ""), new { id }, cancellationToken);

    private static async Task SaveAsync(DbTx tx, DetentionRow row, DetentionStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var f = step.Facts;
        await tx.ExecuteAsync(
            """
            UPDATE customs_detentions SET state = @state, holder_position = @holder, declarant_position = @declarant, extended = @Extended,
                detained_from = @DetainedFrom, declarant_notified_at = @DeclarantNotifiedAt, objected_at = @ObjectedAt,
                timer = @timer, due_at = @due, due_provisional = @provisional, version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new
            {
                id = row.Id,
                state = DetentionRules.Wire(f.State),
                holder = DetentionRules.Wire(f.Holder),
                declarant = DetentionRules.Wire(f.Declarant),
                f.Extended,
                f.DetainedFrom,
                f.DeclarantNotifiedAt,
                f.ObjectedAt,
                timer = step.Schedule.Timer is { } t ? DetentionRules.Wire(t) : null,
                due = step.Schedule.Due,
                provisional = step.Schedule.Provisional,
                now,
            },
            cancellationToken);
    }

    private static async Task EventAsync(DbTx tx, Guid id, string action, string? fromState, DetentionStep step, object detail, CancellationToken cancellationToken) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_detention_events (detention_id, at, action, from_state, to_state, note, actor_org_id, actor_user_id, detail)
            VALUES (@id, tm_now(), @action, @fromState, @toState, @Note, @org, @user, @detail::jsonb)
            """,
            new
            {
                id,
                action,
                fromState,
                toState = DetentionRules.Wire(step.Facts.State),
                step.Note,
                org = tx.Caller.OrganisationId,
                user = tx.Caller.UserId,
                detail = System.Text.Json.JsonSerializer.Serialize(detail),
            },
            cancellationToken);

    private async Task NotifyHolderAsync(DbTx tx, DetentionRow row, DetentionStep step, CancellationToken cancellationToken)
    {
        if (DetentionRules.Wire(step.Facts.State) == row.State)
        {
            return;
        }

        await outbox.AddAsync(
            tx,
            new NewNotification(
                "customs.detention_changed",
                row.HolderOrgId,
                new { reference = Reference(row.Number), link = "/customs/detentions/" + row.Id },
                "customs_detention",
                row.Id.ToString()),
            cancellationToken);
    }

    private static object Summary(DetentionView view) => new
    {
        view.State,
        view.HolderPosition,
        view.DeclarantPosition,
        view.Extended,
        view.Timer,
        view.DueAt,
        view.OutcomeOn,
        view.DestructionCertificate,
        view.DonationRecipient,
        view.ReferredTo,
    };

    private async Task<HandoverPackage> HandoverAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        // In English whoever refers the case: the package is a record, and its reasons should not depend on the officer's language.
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        var view = await ViewAsync(tx, id, cancellationToken);
        var lineViews = new List<LineView>();
        foreach (var lineId in view.LineIds)
        {
            // The police receive the declaration lines as customs holds them; the holder's view never includes them.
            if (await lines.FindAsync(tx, lineId, cancellationToken) is { } line)
            {
                lineViews.Add(line);
            }
        }

        return await HandoverPackage.BuildAsync(view, lineViews, blobs, cancellationToken);
    }

    internal async Task<DetentionView> ViewAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await RowAsync(tx, id, forUpdate: false, cancellationToken) ?? throw new RecordNotFoundException("customs_detention", id.ToString());
        var rights = await tx.QueryAsync<RightRef>("SELECT id, name, name_zh, number, jurisdiction, type FROM rights WHERE id = ANY (@RightIds) ORDER BY name", new { row.RightIds }, cancellationToken);
        var lineIds = await tx.QueryAsync<Guid>("SELECT line_id FROM customs_detention_lines WHERE detention_id = @id ORDER BY line_id", new { id }, cancellationToken);
        var evidence = await tx.QueryAsync<EvidenceRow>(
            """
            SELECT e.id, e.kind, e.caption, e.file_name, e.sha256, b.media_type, b.size, e.uploaded_at
            FROM customs_detention_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.detention_id = @id ORDER BY e.uploaded_at, e.id
            """,
            new { id },
            cancellationToken);
        var notices = await tx.QueryAsync<(string Party, string Addressee, string Channel, DateTimeOffset DueAt, DateTimeOffset? SentAt)>(
            "SELECT party, addressee, channel, due_at, sent_at FROM customs_notices WHERE detention_id = @id ORDER BY party DESC", new { id }, cancellationToken);
        var costs = (await tx.QueryAsync<CostRow>(
            """
            SELECT k.id, k.kind, k.amount, k.currency, k.incurred_on, k.note, k.recorded_at, o.id AS org_id, o.name_en, o.name_zh, o.kind AS org_kind
            FROM customs_costs k JOIN organisations o ON o.id = k.charged_to_org_id WHERE k.detention_id = @id ORDER BY k.recorded_at, k.id
            """,
            new { id },
            cancellationToken)).ToList();
        var events = await tx.QueryAsync<EventRow>(
            """
            SELECT e.at, e.action, e.from_state, e.to_state, e.note, e.detail::text AS detail, o.id AS org_id, o.name_en, o.name_zh, o.kind AS org_kind
            FROM customs_detention_events e LEFT JOIN organisations o ON o.id = e.actor_org_id WHERE e.detention_id = @id ORDER BY e.id
            """,
            new { id },
            cancellationToken);
        var now = clock.GetUtcNow();
        var allowed = await AllowedActionsAsync(tx, row, now, cancellationToken);
        return new DetentionView(
            row.Id,
            row.Number,
            Reference(row.Number),
            row.State,
            row.Measure,
            row.Mode,
            row.Procedure,
            row.Perishable,
            new PresetRef(row.PresetCode, row.PresetNameEn, row.PresetNameZh),
            row.CalendarCode,
            row.Customs,
            row.Holder,
            rights.ToList(),
            row.DeclarationNumber,
            row.PresentedOn,
            row.Port,
            row.TransportMode,
            row.Origin?.Trim(),
            row.Destination?.Trim(),
            row.Declarant,
            row.Description,
            row.HsCode,
            row.ProductCategory,
            row.Quantity,
            row.Unit,
            row.GrossKg,
            new MoneyView(row.ValueAmount, row.ValueCurrency.Trim()),
            row.StorageLocation,
            row.DetainedAt,
            row.NoticeDueAt,
            row.DeclarantNotifiedAt,
            row.HolderPosition,
            row.HolderReasons,
            row.HolderRespondedAt,
            row.SecurityAmount is { } amount ? new MoneyView(amount, row.SecurityCurrency?.Trim() ?? "") : null,
            row.DeclarantPosition,
            row.DeclarantReasons,
            row.Extended,
            row.Timer,
            row.DueAt,
            row.DueProvisional,
            DetentionWords.WaitingFor(row.State, row.Timer),
            row.ProceedingsReference,
            row.OutcomeOn,
            row.DestructionCertificate,
            row.DonationRecipient,
            row.OutcomeNote,
            row.ReferredToOrgId is { } referred ? new OrganisationRef(referred, row.ReferredNameEn!, row.ReferredNameZh!, row.ReferredKind!) : null,
            row.ReferredAt,
            row.HandoverSha256,
            Distributions.Parse(row.Distribution),
            row.SharingGroupId,
            lineIds.ToList(),
            evidence.Select(e => new EvidenceView(e.Id, e.Kind, e.Caption, e.FileName, e.Sha256, e.MediaType, e.Size, EvidenceUrl(id, e.Id), e.UploadedAt)).ToList(),
            notices.Select(n => new NoticeView(n.Party, n.Addressee, n.Channel, n.DueAt, n.SentAt, n.SentAt is null ? n.DueAt < now : n.SentAt > n.DueAt)).ToList(),
            costs.Select(c => new CostView(c.Id, c.Kind, new MoneyView(c.Amount, c.Currency.Trim()), c.IncurredOn, c.Note, new OrganisationRef(c.OrgId, c.NameEn, c.NameZh, c.OrgKind), c.RecordedAt)).ToList(),
            costs.GroupBy(c => c.Currency.Trim(), StringComparer.Ordinal).Select(g => new MoneyView(g.Sum(c => c.Amount), g.Key)).OrderBy(m => m.Currency, StringComparer.Ordinal).ToList(),
            events.Select(e => new DetentionEventView(e.At, e.Action, e.FromState, e.ToState, e.Note, e.OrgId is { } o ? new OrganisationRef(o, e.NameEn!, e.NameZh!, e.OrgKind!) : null, e.Detail)).ToList(),
            allowed,
            row.Version,
            row.CreatedAt,
            row.UpdatedAt);
    }

    /// <summary>What the caller may do now: the rules are tried (they are pure), so the list never offers what would be refused.</summary>
    private async Task<IReadOnlyList<string>> AllowedActionsAsync(DbTx tx, DetentionRow row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var isOwner = row.OwnerOrgId == tx.Caller.OrganisationId && tx.Caller.CanWrite;
        var isHolder = tx.Caller.CanWrite && tx.Caller.OrganisationKind is OrganisationKind.RightsHolder or OrganisationKind.Agent
            && await ActsForHolderAsync(tx, row, cancellationToken);
        if (!isOwner && !isHolder)
        {
            return [];
        }

        var preset = await PresetStore.LoadAsync(tx, row.PresetCode, cancellationToken);
        var calendar = await CalendarAsync(row.CalendarCode, cancellationToken);
        var facts = row.Facts();
        bool Possible(DetentionAction action)
        {
            try
            {
                DetentionRules.Apply(preset, facts, action, now, calendar);
                return true;
            }
            catch (RuleViolationException)
            {
                return false;
            }
        }

        var allowed = new List<string>();
        if (isOwner)
        {
            allowed.AddRange(OfficerActions.Where(a => Possible(DetentionRules.Parse<DetentionAction>(a))));
        }

        if (isHolder)
        {
            if (Possible(DetentionAction.HolderConfirms))
            {
                allowed.Add("confirm");
            }

            if (Possible(DetentionAction.HolderDenies))
            {
                allowed.Add("deny");
            }

            if (Possible(DetentionAction.ProceedingsStarted))
            {
                allowed.Add("proceedings");
            }
        }

        return allowed;
    }

    private static string Instant(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private sealed record LineFacts(
        Guid Id, string DeclarationNumber, DateOnly DeclaredOn, string TransportMode, string? Importer, string? Exporter, string? Consignee, string Origin,
        string Destination, string Port, string HsCode, string Description, decimal Quantity, string Unit, decimal Value, string Currency, decimal? GrossKg,
        Guid[] RightIds, string ReviewState);

    private sealed record EvidenceRow(Guid Id, string Kind, string? Caption, string? FileName, string Sha256, string MediaType, long Size, DateTimeOffset UploadedAt);

    private sealed record CostRow(
        Guid Id, string Kind, decimal Amount, string Currency, DateOnly IncurredOn, string? Note, DateTimeOffset RecordedAt, Guid OrgId, string NameEn, string NameZh, string OrgKind);

    private sealed record EventRow(
        DateTimeOffset At, string Action, string? FromState, string ToState, string? Note, string? Detail, Guid? OrgId, string? NameEn, string? NameZh, string? OrgKind);
}

/// <summary>A detention row with the names it joins; <see cref="Facts"/> is what Core's rules read.</summary>
internal sealed class DetentionRow
{
    public Guid Id { get; init; }

    public long Number { get; init; }

    public Guid OwnerOrgId { get; init; }

    public Guid OriginNodeId { get; init; }

    public int Version { get; init; }

    public string Distribution { get; init; } = "";

    public Guid? SharingGroupId { get; init; }

    public string PresetCode { get; init; } = "";

    public string CalendarCode { get; init; } = "";

    public string Measure { get; init; } = "";

    public string Mode { get; init; } = "";

    public string Procedure { get; init; } = "";

    public bool Perishable { get; init; }

    public string State { get; init; } = "";

    public Guid HolderOrgId { get; init; }

    public Guid[] RightIds { get; init; } = [];

    public string? DeclarationNumber { get; init; }

    public DateOnly PresentedOn { get; init; }

    public string? Port { get; init; }

    public string? TransportMode { get; init; }

    public string? Origin { get; init; }

    public string? Destination { get; init; }

    public string Declarant { get; init; } = "";

    public string Description { get; init; } = "";

    public string? HsCode { get; init; }

    public string ProductCategory { get; init; } = "";

    public decimal Quantity { get; init; }

    public string Unit { get; init; } = "";

    public decimal? GrossKg { get; init; }

    public decimal ValueAmount { get; init; }

    public string ValueCurrency { get; init; } = "";

    public string? StorageLocation { get; init; }

    public DateTimeOffset DetainedAt { get; init; }

    public DateTimeOffset? DetainedFrom { get; init; }

    public DateTimeOffset NoticeDueAt { get; init; }

    public DateTimeOffset? DeclarantNotifiedAt { get; init; }

    public DateTimeOffset? ObjectedAt { get; init; }

    public string HolderPosition { get; init; } = "";

    public string? HolderReasons { get; init; }

    public DateTimeOffset? HolderRespondedAt { get; init; }

    public decimal? SecurityAmount { get; init; }

    public string? SecurityCurrency { get; init; }

    public string DeclarantPosition { get; init; } = "";

    public string? DeclarantReasons { get; init; }

    public bool Extended { get; init; }

    public string? Timer { get; init; }

    public DateTimeOffset? DueAt { get; init; }

    public bool DueProvisional { get; init; }

    public string? ProceedingsReference { get; init; }

    public DateOnly? OutcomeOn { get; init; }

    public string? DestructionCertificate { get; init; }

    public string? DonationRecipient { get; init; }

    public string? OutcomeNote { get; init; }

    public Guid? ReferredToOrgId { get; init; }

    public DateTimeOffset? ReferredAt { get; init; }

    public string? HandoverSha256 { get; init; }

    public Guid? CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public string CustomsNameEn { get; init; } = "";

    public string CustomsNameZh { get; init; } = "";

    public string CustomsKind { get; init; } = "";

    public string HolderNameEn { get; init; } = "";

    public string HolderNameZh { get; init; } = "";

    public string HolderKind { get; init; } = "";

    public string PresetNameEn { get; init; } = "";

    public string PresetNameZh { get; init; } = "";

    public string? ReferredNameEn { get; init; }

    public string? ReferredNameZh { get; init; }

    public string? ReferredKind { get; init; }

    public OrganisationRef Customs => new(OwnerOrgId, CustomsNameEn, CustomsNameZh, CustomsKind);

    public OrganisationRef Holder => new(HolderOrgId, HolderNameEn, HolderNameZh, HolderKind);

    public DetentionFacts Facts() => new(
        DetentionRules.Parse<DetentionState>(State),
        DetentionRules.Parse<DetentionMode>(Mode),
        DetentionRules.Parse<DetentionProcedure>(Procedure),
        Perishable,
        DetentionRules.Parse<HolderPosition>(HolderPosition),
        DetentionRules.Parse<DeclarantPosition>(DeclarantPosition),
        Extended,
        DetainedAt,
        DetainedFrom,
        DeclarantNotifiedAt,
        ObjectedAt);
}
