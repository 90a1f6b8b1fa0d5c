using Dapper;
using Npgsql;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Rights;

public sealed record RightView(
    Guid Id,
    RightType Type,
    RightForm? Form,
    string Jurisdiction,
    string? Number,
    string? ApplicationNumber,
    string Name,
    string? NameZh,
    IReadOnlyList<string> OtherNames,
    IReadOnlyList<int> Classes,
    string? Goods,
    DateOnly? Filed,
    DateOnly? Registered,
    DateOnly? Expires,
    RightStatus Status,
    string? Area,
    string? Product,
    string? Species,
    string? Description,
    string? ImageSha256,
    OrganisationRef Owner,
    OrganisationRef RecordedBy,
    Distribution Distribution,
    Guid? SharingGroupId,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double? Score = null);

/// <summary>A right to record. <see cref="HolderId"/> is for agents recording in a holder's name; it defaults to the caller's organisation.</summary>
public sealed record NewRight(
    string? Type,
    string? Form,
    string? Jurisdiction,
    string? Number,
    string? ApplicationNumber,
    string? Name,
    string? NameZh,
    IReadOnlyList<string>? OtherNames,
    IReadOnlyList<int>? Classes,
    string? Goods,
    string? Filed,
    string? Registered,
    string? Expires,
    string? Status,
    string? Area,
    string? Product,
    string? Species,
    string? Description,
    Guid? HolderId,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>A partial change: members left out stay as they are; an empty text or list clears an optional field.</summary>
public sealed record RightChange(
    string? Type,
    string? Form,
    string? Jurisdiction,
    string? Number,
    string? ApplicationNumber,
    string? Name,
    string? NameZh,
    IReadOnlyList<string>? OtherNames,
    IReadOnlyList<int>? Classes,
    string? Goods,
    string? Filed,
    string? Registered,
    string? Expires,
    string? Status,
    string? Area,
    string? Product,
    string? Species,
    string? Description,
    Distribution? Distribution,
    Guid? SharingGroupId);

public sealed record RightDocumentView(Guid Id, string Title, string? FileName, string Sha256, long Size, string MediaType, OrganisationRef UploadedBy, DateTimeOffset UploadedAt);

/// <summary>
/// The registry's records for the API and the pages alike. Who sees a right is decided by row-level
/// security (its distribution, and the holder's agents); who may change it by the owner and the agents
/// its holder authorised (tm_may_act_for_right).
/// </summary>
public sealed class RightStore(Db db, TimeProvider clock, BlobStore blobs, NotificationOutbox outbox)
{
    internal const string Select = """
        SELECT r.id, r.type, r.form, r.jurisdiction, r.number, r.application_number, r.name, r.name_zh, r.other_names, r.classes::int[] AS classes,
               r.goods, r.filed_on, r.registered_on, r.expires_on, r.status, r.area, r.product, r.species, r.description, r.image_sha256,
               r.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh, o.kind AS owner_kind,
               r.recorded_by_org_id, b.name_en AS recorder_name_en, b.name_zh AS recorder_name_zh, b.kind AS recorder_kind,
               r.distribution, r.sharing_group_id, r.version, r.created_at, r.updated_at
        """;

    internal const string From = """
        FROM rights r JOIN organisations o ON o.id = r.owner_org_id JOIN organisations b ON b.id = r.recorded_by_org_id
        """;

    /// <summary>Records a right, with the mark's picture when given, in one transaction.</summary>
    public async Task<RightView> CreateAsync(NewRight input, Stream? image, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        RequireRecorder(tx);
        var rules = new FieldRules();
        var content = RightRules.Validate(rules, ToInput(input));
        var distribution = input.Distribution ?? Distribution.Node;
        var holder = await HolderAsync(tx, rules, input.HolderId, cancellationToken);
        await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var picture = image is null ? null : await blobs.PutAsync(tx, image, BlobRules.Images, "image", cancellationToken);
        try
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO rights (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, sharing_group_id, type, form, jurisdiction, number,
                                    number_key, application_number, name, name_zh, other_names, name_folded, name_zh_folded, other_names_folded, classes,
                                    goods, filed_on, registered_on, expires_on, status, area, product, species, description, image_sha256, created_by,
                                    created_at, updated_at)
                VALUES (@id, @holder, @recorder, (SELECT id FROM nodes WHERE is_local), @distribution, @group, @type, @form, @Jurisdiction, @Number,
                        @NumberKey, @ApplicationNumber, @Name, @NameZh, @otherNames, @nameFolded, @nameZhFolded, @otherNamesFolded, @classes::smallint[],
                        @Goods, @Filed, @Registered, @Expires, @status, @Area, @Product, @Species, @Description, @image, @user,
                        @now, @now)
                """,
                Parameters(content!, new
                {
                    id,
                    holder,
                    recorder = tx.Caller.OrganisationId,
                    distribution = distribution.ToWire(),
                    group = input.SharingGroupId,
                    image = picture?.Sha256,
                    user = tx.Caller.UserId,
                    now,
                }),
                cancellationToken);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "rights_key" })
        {
            throw AlreadyRecorded(content!);
        }

        var created = await FindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A recorded right is not visible to whoever recorded it.");
        await tx.AuditAsync("right.create", "right", id.ToString(), holder, after: created, cancellationToken: cancellationToken);
        if (holder != tx.Caller.OrganisationId)
        {
            await NotifyHolderAsync(tx, created, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<RightView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        if (right.Distribution != Distribution.Public)
        {
            await tx.AuditAsync("right.read", "right", id.ToString(), right.Owner.Id, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return right;
    }

    /// <summary>Whether the caller's organisation may change the right now (it holds it, or is its holder's authorised agent).</summary>
    public async Task<bool> MayChangeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var may = tx.Caller.OrganisationId is { } organisation
            && await tx.ExecuteScalarAsync<bool>("SELECT tm_may_act_for_right(@organisation, @id, tm_now())", new { organisation, id }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return may;
    }

    /// <summary>Changes a right (and its picture, when one is given) in one transaction.</summary>
    public async Task<RightView> ChangeAsync(Guid id, RightChange change, Stream? image, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        await RequireActorAsync(tx, id, cancellationToken);

        var rules = new FieldRules();
        var content = RightRules.Validate(rules, Merge(before, change));
        var distribution = change.Distribution ?? before.Distribution;
        var group = change.Distribution is null && change.SharingGroupId is null ? before.SharingGroupId : change.SharingGroupId;
        if (distribution != before.Distribution || group != before.SharingGroupId)
        {
            await DistributionGuard.CheckGroupAsync(tx, rules, distribution, group, cancellationToken);
            rules.ThrowIfAny();
            await DistributionGuard.CheckWidenOnlyAsync(tx, before.Distribution, before.SharingGroupId, distribution, group, cancellationToken);
        }

        rules.ThrowIfAny();
        var picture = image is null ? before.ImageSha256 : (await blobs.PutAsync(tx, image, BlobRules.Images, "image", cancellationToken)).Sha256;
        try
        {
            var changed = await tx.ExecuteAsync(
                """
                UPDATE rights SET type = @type, form = @form, jurisdiction = @Jurisdiction, number = @Number, number_key = @NumberKey,
                    application_number = @ApplicationNumber, name = @Name, name_zh = @NameZh, other_names = @otherNames, name_folded = @nameFolded,
                    name_zh_folded = @nameZhFolded, other_names_folded = @otherNamesFolded,
                    classes = @classes::smallint[], goods = @Goods, filed_on = @Filed, registered_on = @Registered, expires_on = @Expires, status = @status,
                    area = @Area, product = @Product, species = @Species, description = @Description, distribution = @distribution,
                    sharing_group_id = @group, image_sha256 = @picture, version = version + 1, updated_at = @now
                WHERE id = @id
                  AND (type, form, jurisdiction, number, application_number, name, name_zh, other_names, classes, goods, filed_on, registered_on,
                       expires_on, status, area, product, species, description, distribution, sharing_group_id, image_sha256)
                      IS DISTINCT FROM
                      (@type::text, @form::text, @Jurisdiction::text, @Number::text, @ApplicationNumber::text, @Name::text, @NameZh::text, @otherNames::text[],
                       @classes::smallint[], @Goods::text, @Filed::date, @Registered::date, @Expires::date, @status::text, @Area::text, @Product::text,
                       @Species::text, @Description::text, @distribution::text, @group::uuid, @picture::text)
                """,
                Parameters(content!, new
                {
                    id,
                    distribution = distribution.ToWire(),
                    group = distribution == Distribution.Group ? group : null,
                    picture,
                    now = clock.GetUtcNow(),
                }),
                cancellationToken);
            if (changed == 0)
            {
                await tx.CommitAsync(cancellationToken);
                return before;
            }
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "rights_key" })
        {
            throw AlreadyRecorded(content!);
        }

        var after = await FindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A changed right is no longer visible to whoever changed it.");
        await tx.AuditAsync(distribution != before.Distribution ? "right.widen" : "right.change", "right", id.ToString(), after.Owner.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>Stores the picture of a figurative or combined mark and makes it the right's image.</summary>
    public async Task<RightView> SetImageAsync(Guid id, Stream file, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        await RequireActorAsync(tx, id, cancellationToken);
        var blob = await blobs.PutAsync(tx, file, BlobRules.Images, "file", cancellationToken);
        if (blob.Sha256 == before.ImageSha256)
        {
            await tx.CommitAsync(cancellationToken);
            return before;
        }

        await tx.ExecuteAsync(
            "UPDATE rights SET image_sha256 = @sha, version = version + 1, updated_at = @now WHERE id = @id",
            new { sha = blob.Sha256, now = clock.GetUtcNow(), id },
            cancellationToken);
        var after = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync("right.image", "right", id.ToString(), after.Owner.Id, new { before.ImageSha256 }, new { after.ImageSha256, blob.Size, blob.MediaType }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>The right's image for a reader who may see the right; the read is audited unless the right is public.</summary>
    public async Task<BlobInfo> ReadImageAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        var blob = right.ImageSha256 is { } sha ? await blobs.FindAsync(tx, sha, cancellationToken) : null;
        if (blob is null)
        {
            throw new RecordNotFoundException("right_image", id.ToString());
        }

        if (right.Distribution != Distribution.Public)
        {
            await tx.AuditAsync("right.image.read", "right", id.ToString(), right.Owner.Id, detail: new { sha256 = blob.Sha256 }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return blob;
    }

    public async Task<RightDocumentView> AddDocumentAsync(Guid id, Stream file, string? title, string? fileName, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var cleanTitle = rules.Required("title", title, 200);
        var cleanName = fileName is null ? null : Path.GetFileName(fileName.Trim()) is { Length: > 0 and <= 255 } n ? n : null;
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        await RequireActorAsync(tx, id, cancellationToken);
        var blob = await blobs.PutAsync(tx, file, BlobRules.Documents, "file", cancellationToken);
        var documentId = Guid.CreateVersion7();
        await tx.ExecuteAsync(
            """
            INSERT INTO right_documents (id, right_id, sha256, title, file_name, uploaded_by_org_id, uploaded_by, uploaded_at)
            VALUES (@documentId, @id, @sha, @cleanTitle, @cleanName, @organisation, @user, @now)
            """,
            new { documentId, id, sha = blob.Sha256, cleanTitle, cleanName, organisation = tx.Caller.OrganisationId, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        var document = (await DocumentsAsync(tx, id, cancellationToken)).Single(d => d.Id == documentId);
        await tx.AuditAsync("right.document.add", "right", id.ToString(), right.Owner.Id, after: document, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return document;
    }

    public async Task<IReadOnlyList<RightDocumentView>> ListDocumentsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        var documents = await DocumentsAsync(tx, id, cancellationToken);
        if (documents.Count > 0 && right.Distribution != Distribution.Public)
        {
            await tx.AuditAsync("right.document.list", "right", id.ToString(), right.Owner.Id, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return documents;
    }

    public async Task<(RightDocumentView Document, BlobInfo Blob)> ReadDocumentAsync(Guid id, Guid documentId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("right", id.ToString());
        var document = (await DocumentsAsync(tx, id, cancellationToken)).FirstOrDefault(d => d.Id == documentId)
            ?? throw new RecordNotFoundException("right_document", documentId.ToString());
        await tx.AuditAsync("right.document.read", "right", id.ToString(), right.Owner.Id, detail: new { documentId, document.Sha256 }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (document, new BlobInfo(document.Sha256, document.Size, document.MediaType));
    }

    /// <summary>Whether an organisation may act for a right at an instant (default: now): the check complaints and platforms rely on.</summary>
    public async Task<bool> MayActAsync(Guid rightId, Guid organisationId, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await FindAsync(tx, rightId, cancellationToken) ?? throw new RecordNotFoundException("right", rightId.ToString());
        var may = await AgentChecks.MayActForRightAsync(tx, organisationId, rightId, at ?? clock.GetUtcNow(), cancellationToken);
        await tx.AuditAsync("right.may_act", "right", rightId.ToString(), right.Owner.Id, detail: new { organisationId, at, may }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return may;
    }

    internal static async Task<RightView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        (await tx.QuerySingleOrDefaultAsync<RightRow>($"{Select} {From} WHERE r.id = @id", new { id }, cancellationToken))?.ToView();

    /// <summary>The same right (jurisdiction, type, number) is already in the registry: 409, naming the number.</summary>
    internal static RuleViolationException AlreadyRecorded(RightContent content) => new(
        "right.already_recorded",
        $"The {content.Type.ToWire()} {content.Number} ({content.Jurisdiction}) is already recorded.",
        "number",
        true,
        content.Number ?? "",
        content.Jurisdiction);

    /// <summary>The query parameters every insert and update of a right binds, from validated content plus extras.</summary>
    internal static DynamicParameters Parameters(RightContent content, object extra)
    {
        var parameters = new DynamicParameters(extra);
        parameters.AddDynamicParams(new
        {
            type = content.Type.ToWire(),
            form = content.Form?.ToWire(),
            content.Jurisdiction,
            content.Number,
            content.NumberKey,
            content.ApplicationNumber,
            content.Name,
            content.NameZh,
            otherNames = content.OtherNames.ToArray(),
            nameFolded = RightNames.Fold(content.Name),
            nameZhFolded = content.NameZh is null ? null : RightNames.Fold(content.NameZh),
            otherNamesFolded = RightNames.FoldAll(content.OtherNames),
            classes = content.Classes.ToArray(),
            content.Goods,
            content.Filed,
            content.Registered,
            content.Expires,
            status = content.Status.ToWire(),
            content.Area,
            content.Product,
            content.Species,
            content.Description,
        });
        return parameters;
    }

    private static async Task<List<RightDocumentView>> DocumentsAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        (await tx.QueryAsync<DocumentRow>(
            """
            SELECT d.id, d.title, d.file_name, d.sha256, b.size, b.media_type, d.uploaded_by_org_id, o.name_en, o.name_zh, o.kind, d.uploaded_at
            FROM right_documents d JOIN blobs b ON b.sha256 = d.sha256 JOIN organisations o ON o.id = d.uploaded_by_org_id
            WHERE d.right_id = @id ORDER BY d.uploaded_at, d.id
            """,
            new { id },
            cancellationToken)).Select(d => d.ToView()).ToList();

    /// <summary>Rights are recorded by rights holders (for themselves) and agents (for holders that authorised them); nobody else.</summary>
    internal static void RequireRecorder(DbTx tx)
    {
        if (tx.Caller.OrganisationKind is not (OrganisationKind.RightsHolder or OrganisationKind.Agent))
        {
            throw new AccessDeniedException("right.holders_only", "Only rights holders, and agents acting for them, record rights.");
        }
    }

    /// <summary>The organisation a new right belongs to: the caller's own (rights holders) or a holder that authorised the calling agent for all its rights.</summary>
    internal static async Task<Guid> HolderAsync(DbTx tx, FieldRules rules, Guid? holderId, CancellationToken cancellationToken)
    {
        var caller = tx.Caller.OrganisationId ?? throw new AccessDeniedException("auth.required", "Recording a right needs a signed-in organisation.");
        if (holderId is null || holderId == caller)
        {
            if (tx.Caller.OrganisationKind == OrganisationKind.Agent)
            {
                rules.Add("holderId", "required");
            }

            return caller;
        }

        if (!await AgentChecks.MayActForHolderAsync(tx, caller, holderId.Value, cancellationToken))
        {
            rules.Add("holderId", "right.holder_not_authorised");
        }

        return holderId.Value;
    }

    private static async Task RequireActorAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        if (tx.Caller.OrganisationId is not { } organisation
            || !await tx.ExecuteScalarAsync<bool>("SELECT tm_may_act_for_right(@organisation, @id, tm_now())", new { organisation, id }, cancellationToken))
        {
            throw new AccessDeniedException("right.not_holder", "Only the holder of a right, and agents it authorised for the right, may change it.");
        }
    }

    private async Task NotifyHolderAsync(DbTx tx, RightView right, CancellationToken cancellationToken)
    {
        var agent = await tx.QuerySingleAsync<(string NameEn, string NameZh)>(
            "SELECT name_en, name_zh FROM organisations WHERE id = @id", new { id = tx.Caller.OrganisationId }, cancellationToken);
        await outbox.AddAsync(
            tx,
            new NewNotification(
                "right.recorded_by_agent",
                right.Owner.Id,
                new { agent = $"{agent.NameEn} / {agent.NameZh}", name = right.Name, number = right.Number ?? "—", link = $"/rights/{right.Id}" },
                "right",
                right.Id.ToString()),
            cancellationToken);
    }

    private static RightInput ToInput(NewRight input) => new(
        input.Type, input.Form, input.Jurisdiction, input.Number, input.ApplicationNumber, input.Name, input.NameZh, input.OtherNames, input.Classes,
        input.Goods, input.Filed, input.Registered, input.Expires, input.Status, input.Area, input.Product, input.Species, input.Description);

    /// <summary>The right as it would be after the change, as text, so that one validation covers fields and their relations.</summary>
    private static RightInput Merge(RightView before, RightChange change) => new(
        change.Type ?? before.Type.ToWire(),
        change.Form ?? (change.Type is null ? before.Form?.ToWire() : null),
        change.Jurisdiction ?? before.Jurisdiction,
        change.Number ?? before.Number,
        change.ApplicationNumber ?? before.ApplicationNumber,
        change.Name ?? before.Name,
        change.NameZh ?? before.NameZh,
        change.OtherNames ?? before.OtherNames,
        change.Classes ?? before.Classes,
        change.Goods ?? before.Goods,
        change.Filed ?? Format(before.Filed),
        change.Registered ?? Format(before.Registered),
        change.Expires ?? Format(before.Expires),
        change.Status ?? before.Status.ToWire(),
        change.Area ?? before.Area,
        change.Product ?? before.Product,
        change.Species ?? before.Species,
        change.Description ?? before.Description);

    private static string? Format(DateOnly? date) => date is { } d ? Dates.Format(d) : null;

    internal sealed record RightRow(
        Guid Id, string Type, string? Form, string Jurisdiction, string? Number, string? ApplicationNumber, string Name, string? NameZh,
        string[] OtherNames, int[] Classes, string? Goods, DateOnly? FiledOn, DateOnly? RegisteredOn, DateOnly? ExpiresOn, string Status,
        string? Area, string? Product, string? Species, string? Description, string? ImageSha256,
        Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh, string OwnerKind,
        Guid RecordedByOrgId, string RecorderNameEn, string RecorderNameZh, string RecorderKind,
        string Distribution, Guid? SharingGroupId, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public RightView ToView(double? score = null) => new(
            Id, RightWords.ParseType(Type), Form is null ? null : RightWords.ParseForm(Form), Jurisdiction, Number, ApplicationNumber, Name, NameZh,
            OtherNames, Classes, Goods, FiledOn, RegisteredOn, ExpiresOn, RightWords.ParseStatus(Status), Area, Product, Species, Description, ImageSha256,
            new OrganisationRef(OwnerOrgId, OwnerNameEn, OwnerNameZh, OwnerKind),
            new OrganisationRef(RecordedByOrgId, RecorderNameEn, RecorderNameZh, RecorderKind),
            Distributions.Parse(Distribution), SharingGroupId, Version, CreatedAt, UpdatedAt, score);
    }

    private sealed record DocumentRow(Guid Id, string Title, string? FileName, string Sha256, long Size, string MediaType, Guid UploadedByOrgId, string NameEn, string NameZh, string Kind, DateTimeOffset UploadedAt)
    {
        public RightDocumentView ToView() => new(Id, Title, FileName, Sha256, Size, MediaType, new OrganisationRef(UploadedByOrgId, NameEn, NameZh, Kind), UploadedAt);
    }
}
