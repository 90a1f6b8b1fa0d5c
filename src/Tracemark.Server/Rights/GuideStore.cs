using System.Text.Json;
using Tracemark.Core.Errors;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Rights;

public sealed record GuidePictureView(Guid Id, string Kind, string? Caption, string Sha256, string MediaType, string Url, DateTimeOffset UploadedAt);

public sealed record GuideView(
    Guid Id,
    string Title,
    IReadOnlyList<RightRef> Rights,
    IReadOnlyList<string> GenuineFeatures,
    IReadOnlyList<string> FakeIndicators,
    IReadOnlyList<GuideParty> Parties,
    IReadOnlyList<GuideRoute> Routes,
    string? Packaging,
    IReadOnlyList<PriceBand> PriceBands,
    IReadOnlyList<GuideContact> Contacts,
    IReadOnlyList<GuidePictureView> Pictures,
    OrganisationRef Owner,
    OrganisationRef RecordedBy,
    Distribution Distribution,
    Guid? SharingGroupId,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A picture to add: the bytes (their type is sniffed), what it shows (genuine, fake, packaging, other) and a caption.</summary>
public sealed record NewPicture(Stream Content, string? Kind, string? Caption);

public sealed record GuideSummary(Guid Id, string Title, OrganisationRef Owner, int Pictures, DateTimeOffset UpdatedAt);

public sealed record NewGuide(
    IReadOnlyList<Guid>? RightIds,
    string? Title,
    IReadOnlyList<string>? GenuineFeatures,
    IReadOnlyList<string>? FakeIndicators,
    IReadOnlyList<GuidePartyInput>? Parties,
    IReadOnlyList<GuideRouteInput>? Routes,
    string? Packaging,
    IReadOnlyList<PriceBandInput>? PriceBands,
    IReadOnlyList<GuideContactInput>? Contacts,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>A change: a member given replaces that part of the guide (lists whole); members left out stay.</summary>
public sealed record GuideChange(
    IReadOnlyList<Guid>? RightIds,
    string? Title,
    IReadOnlyList<string>? GenuineFeatures,
    IReadOnlyList<string>? FakeIndicators,
    IReadOnlyList<GuidePartyInput>? Parties,
    IReadOnlyList<GuideRouteInput>? Routes,
    string? Packaging,
    IReadOnlyList<PriceBandInput>? PriceBands,
    IReadOnlyList<GuideContactInput>? Contacts,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>
/// Product identification guides. Row-level security shows a guide to its owner, the owner's agents, and
/// enforcement organisations its distribution reaches, never to anyone else (a platform, the public):
/// a guide that is not visible does not exist for the caller (404). Every read is audited.
/// </summary>
public sealed class GuideStore(Db db, TimeProvider clock, BlobStore blobs)
{
    private static readonly JsonSerializerOptions PartsJson = CreateJson();

    private const string Select = """
        SELECT g.id, g.title, g.genuine_features, g.fake_indicators, g.packaging, g.routes::text AS routes, g.price_bands::text AS price_bands,
               g.contacts::text AS contacts, g.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh, o.kind AS owner_kind,
               g.recorded_by_org_id, b.name_en AS recorder_name_en, b.name_zh AS recorder_name_zh, b.kind AS recorder_kind,
               g.distribution, g.sharing_group_id, g.version, g.created_at, g.updated_at
        FROM guides g JOIN organisations o ON o.id = g.owner_org_id JOIN organisations b ON b.id = g.recorded_by_org_id
        """;

    /// <summary>Writes a guide, with a first picture when given, in one transaction.</summary>
    public async Task<GuideView> CreateAsync(NewGuide input, NewPicture? picture, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var pictureKind = picture is null ? null : PictureKind(rules, picture.Kind);
        var pictureCaption = picture is null ? null : rules.Optional("caption", picture.Caption, 500);
        var content = Validate(rules, input.Title, input.GenuineFeatures, input.FakeIndicators, input.Parties, input.Routes, input.Packaging, input.PriceBands, input.Contacts);
        var distribution = input.Distribution ?? Distribution.Node;
        if (distribution == Distribution.Public)
        {
            rules.Add("distribution", "guide.never_public");
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        var owner = await AgentChecks.HolderOfRightsAsync(tx, rules, input.RightIds, NotHolder(), cancellationToken);
        await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await tx.ExecuteAsync(
            """
            INSERT INTO guides (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, sharing_group_id, title, genuine_features, fake_indicators,
                                packaging, routes, price_bands, contacts, created_by, created_at, updated_at)
            VALUES (@id, @owner, @recorder, (SELECT id FROM nodes WHERE is_local), @distribution, @group, @Title, @genuine, @fake,
                    @Packaging, @routes::jsonb, @prices::jsonb, @contacts::jsonb, @user, @now, @now)
            """,
            new
            {
                id,
                owner,
                recorder = tx.Caller.OrganisationId,
                distribution = distribution.ToWire(),
                group = input.SharingGroupId,
                content.Title,
                genuine = content.Genuine.ToArray(),
                fake = content.Fake.ToArray(),
                content.Packaging,
                routes = JsonSerializer.Serialize(content.Routes, PartsJson),
                prices = JsonSerializer.Serialize(content.PriceBands, PartsJson),
                contacts = JsonSerializer.Serialize(content.Contacts, PartsJson),
                user = tx.Caller.UserId,
                now,
            },
            cancellationToken);
        await ReplaceRightsAsync(tx, id, input.RightIds!, cancellationToken);
        await ReplacePartiesAsync(tx, id, content.Parties, cancellationToken);
        if (picture is not null)
        {
            await InsertPictureAsync(tx, id, picture.Content, pictureKind!, pictureCaption, cancellationToken);
        }

        var created = await FindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A created guide is not visible to whoever created it.");
        await tx.AuditAsync("guide.create", "guide", id.ToString(), owner, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<GuideView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var guide = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("guide", id.ToString());
        await tx.AuditAsync("guide.read", "guide", id.ToString(), guide.Owner.Id, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return guide;
    }

    /// <summary>Guides the caller may see, of one right or all, newest first.</summary>
    public async Task<IReadOnlyList<GuideSummary>> ListAsync(string? rightId, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var right = QueryValues.Id(rules, "rightId", rightId);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = (await tx.QueryAsync<SummaryRow>(
            """
            SELECT g.id, g.title, g.owner_org_id, o.name_en, o.name_zh, o.kind, (SELECT count(*)::int FROM guide_pictures p WHERE p.guide_id = g.id) AS pictures, g.updated_at
            FROM guides g JOIN organisations o ON o.id = g.owner_org_id
            WHERE @right::uuid IS NULL OR EXISTS (SELECT 1 FROM guide_rights gr WHERE gr.guide_id = g.id AND gr.right_id = @right)
            ORDER BY g.id DESC LIMIT 200
            """,
            new { right },
            cancellationToken)).Select(r => r.ToView()).ToList();
        if (rows.Count > 0)
        {
            await tx.AuditAsync("guide.list", "guide", null, detail: new { rightId = right, ids = rows.Select(r => r.Id) }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return rows;
    }

    public async Task<GuideView> ChangeAsync(Guid id, GuideChange change, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("guide", id.ToString());
        await RequireChangerAsync(tx, id, cancellationToken);
        var rules = new FieldRules();
        var content = Validate(
            rules,
            change.Title ?? before.Title,
            change.GenuineFeatures ?? before.GenuineFeatures,
            change.FakeIndicators ?? before.FakeIndicators,
            change.Parties ?? before.Parties.Select(p => new GuidePartyInput(p.Role.ToWire(), p.Name, p.Address, p.Country)).ToList(),
            change.Routes ?? before.Routes.Select(r => new GuideRouteInput(r.Origin, r.Destination, r.Ports, r.Modes.Select(m => m.ToWire()).ToList())).ToList(),
            change.Packaging ?? before.Packaging,
            change.PriceBands ?? before.PriceBands.Select(p => new PriceBandInput(p.Product, p.Min, p.Max, p.Currency, p.Unit)).ToList(),
            change.Contacts ?? before.Contacts.Select(c => new GuideContactInput(c.Name, c.Phone, c.Email, c.Hours, c.Languages)).ToList());
        if (change.RightIds is not null && await AgentChecks.HolderOfRightsAsync(tx, rules, change.RightIds, NotHolder(), cancellationToken) != before.Owner.Id && !rules.HasErrors)
        {
            rules.Add("rightIds", "guide.rights_of_another_holder");
        }

        var distribution = change.Distribution ?? before.Distribution;
        var group = change.Distribution is null && change.SharingGroupId is null ? before.SharingGroupId : change.SharingGroupId;
        if (distribution == Distribution.Public)
        {
            rules.Add("distribution", "guide.never_public");
        }
        else if (distribution != before.Distribution || group != before.SharingGroupId)
        {
            await DistributionGuard.CheckGroupAsync(tx, rules, distribution, group, cancellationToken);
            rules.ThrowIfAny();
            await DistributionGuard.CheckWidenOnlyAsync(tx, before.Distribution, before.SharingGroupId, distribution, group, cancellationToken);
        }

        rules.ThrowIfAny();
        await tx.ExecuteAsync(
            """
            UPDATE guides SET title = @Title, genuine_features = @genuine, fake_indicators = @fake, packaging = @Packaging, routes = @routes::jsonb,
                price_bands = @prices::jsonb, contacts = @contacts::jsonb, distribution = @distribution, sharing_group_id = @group,
                version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new
            {
                id,
                content.Title,
                genuine = content.Genuine.ToArray(),
                fake = content.Fake.ToArray(),
                content.Packaging,
                routes = JsonSerializer.Serialize(content.Routes, PartsJson),
                prices = JsonSerializer.Serialize(content.PriceBands, PartsJson),
                contacts = JsonSerializer.Serialize(content.Contacts, PartsJson),
                distribution = distribution.ToWire(),
                group = distribution == Distribution.Group ? group : null,
                now = clock.GetUtcNow(),
            },
            cancellationToken);
        if (change.RightIds is not null)
        {
            await ReplaceRightsAsync(tx, id, change.RightIds, cancellationToken);
        }

        if (change.Parties is not null)
        {
            await ReplacePartiesAsync(tx, id, content.Parties, cancellationToken);
        }

        var after = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync(distribution != before.Distribution ? "guide.widen" : "guide.change", "guide", id.ToString(), after.Owner.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>Adds a picture (genuine, fake, packaging, other) to a guide the caller may change.</summary>
    public async Task<GuidePictureView> AddPictureAsync(Guid id, NewPicture picture, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var kind = PictureKind(rules, picture.Kind);
        var caption = rules.Optional("caption", picture.Caption, 500);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var guide = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("guide", id.ToString());
        await RequireChangerAsync(tx, id, cancellationToken);
        var pictureId = await InsertPictureAsync(tx, id, picture.Content, kind, caption, cancellationToken);
        var added = (await PicturesAsync(tx, id, cancellationToken)).Single(p => p.Id == pictureId);
        await tx.AuditAsync("guide.picture.add", "guide", id.ToString(), guide.Owner.Id, after: added, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>A picture of a guide the caller may see; the read is audited.</summary>
    public async Task<BlobInfo> ReadPictureAsync(Guid id, Guid pictureId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var guide = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("guide", id.ToString());
        var picture = guide.Pictures.FirstOrDefault(p => p.Id == pictureId) ?? throw new RecordNotFoundException("guide_picture", pictureId.ToString());
        var blob = await blobs.FindAsync(tx, picture.Sha256, cancellationToken) ?? throw new RecordNotFoundException("guide_picture", pictureId.ToString());
        await tx.AuditAsync("guide.picture.read", "guide", id.ToString(), guide.Owner.Id, detail: new { pictureId, blob.Sha256 }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return blob;
    }

    private static AccessDeniedException NotHolder() => new("guide.not_holder", "Only the holder of the rights, or an agent authorised for all its rights, writes its guides.");

    private static string PictureKind(FieldRules rules, string? kind)
    {
        var pictureKind = string.IsNullOrWhiteSpace(kind) ? "genuine" : kind.Trim().ToLowerInvariant();
        if (pictureKind is not ("genuine" or "fake" or "packaging" or "other"))
        {
            rules.Add("kind", "guide.picture_kind_unknown", kind ?? "");
        }

        return pictureKind;
    }

    private async Task<Guid> InsertPictureAsync(DbTx tx, Guid id, Stream content, string kind, string? caption, CancellationToken cancellationToken)
    {
        var blob = await blobs.PutAsync(tx, content, BlobRules.Images, "file", cancellationToken);
        var pictureId = Guid.CreateVersion7();
        await tx.ExecuteAsync(
            """
            INSERT INTO guide_pictures (id, guide_id, sha256, kind, caption, uploaded_by_org_id, uploaded_by, uploaded_at)
            VALUES (@pictureId, @id, @sha, @kind, @caption, @organisation, @user, @now)
            """,
            new { pictureId, id, sha = blob.Sha256, kind, caption, organisation = tx.Caller.OrganisationId, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        return pictureId;
    }

    private static GuideContent Validate(
        FieldRules rules,
        string? title,
        IReadOnlyList<string>? genuine,
        IReadOnlyList<string>? fake,
        IReadOnlyList<GuidePartyInput>? parties,
        IReadOnlyList<GuideRouteInput>? routes,
        string? packaging,
        IReadOnlyList<PriceBandInput>? prices,
        IReadOnlyList<GuideContactInput>? contacts) => new(
            rules.Required("title", title, GuideRules.TitleMax),
            GuideRules.Texts(rules, "genuineFeatures", genuine),
            GuideRules.Texts(rules, "fakeIndicators", fake),
            GuideRules.Parties(rules, parties),
            GuideRules.Routes(rules, routes),
            rules.Optional("packaging", packaging, GuideRules.PackagingMax),
            GuideRules.PriceBands(rules, prices),
            GuideRules.Contacts(rules, contacts));

    private static async Task RequireChangerAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        if (!await tx.ExecuteScalarAsync<bool>("SELECT tm_may_change_guide(@id)", new { id }, cancellationToken))
        {
            throw NotHolder();
        }
    }

    private static async Task ReplaceRightsAsync(DbTx tx, Guid id, IReadOnlyList<Guid> rightIds, CancellationToken cancellationToken)
    {
        await tx.ExecuteAsync("DELETE FROM guide_rights WHERE guide_id = @id", new { id }, cancellationToken);
        await tx.ExecuteAsync(
            "INSERT INTO guide_rights (guide_id, right_id) SELECT @id, unnest(@rights) ON CONFLICT DO NOTHING",
            new { id, rights = rightIds.Distinct().ToArray() },
            cancellationToken);
    }

    private static async Task ReplacePartiesAsync(DbTx tx, Guid id, IReadOnlyList<GuideParty> parties, CancellationToken cancellationToken)
    {
        await tx.ExecuteAsync("DELETE FROM guide_parties WHERE guide_id = @id", new { id }, cancellationToken);
        for (var i = 0; i < parties.Count; i++)
        {
            var party = parties[i];
            await tx.ExecuteAsync(
                """
                INSERT INTO guide_parties (id, guide_id, position, role, name, search_name, address, country)
                VALUES (@partyId, @id, @i, @role, @Name, @search, @Address, @Country)
                """,
                new { partyId = Guid.CreateVersion7(), id, i, role = party.Role.ToWire(), party.Name, search = RightNames.Fold(party.Name), party.Address, party.Country },
                cancellationToken);
        }
    }

    private static async Task<GuideView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<Row>(Select + " WHERE g.id = @id", new { id }, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var rights = (await tx.QueryAsync<RightRef>(
            """
            SELECT r.id, r.name, r.name_zh, r.number, r.jurisdiction, r.type FROM guide_rights gr JOIN rights r ON r.id = gr.right_id
            WHERE gr.guide_id = @id ORDER BY r.name
            """,
            new { id },
            cancellationToken)).ToList();
        var parties = (await tx.QueryAsync<(string Role, string Name, string? Address, string? Country)>(
            "SELECT role, name, address, country FROM guide_parties WHERE guide_id = @id ORDER BY position", new { id }, cancellationToken))
            .Select(p => new GuideParty(GuideRules.TryParseRole(p.Role, out var role) ? role : PartyRole.Distributor, p.Name, p.Address, p.Country))
            .ToList();
        return row.ToView(rights, parties, await PicturesAsync(tx, id, cancellationToken));
    }

    private static async Task<List<GuidePictureView>> PicturesAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        (await tx.QueryAsync<(Guid Id, string Kind, string? Caption, string Sha256, string MediaType, DateTimeOffset UploadedAt)>(
            """
            SELECT p.id, p.kind, p.caption, p.sha256, b.media_type, p.uploaded_at
            FROM guide_pictures p JOIN blobs b ON b.sha256 = p.sha256 WHERE p.guide_id = @id ORDER BY p.uploaded_at, p.id
            """,
            new { id },
            cancellationToken))
            .Select(p => new GuidePictureView(p.Id, p.Kind, p.Caption, p.Sha256, p.MediaType, $"/api/v1/guides/{id}/pictures/{p.Id}", p.UploadedAt))
            .ToList();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }

    private sealed record GuideContent(
        string Title,
        IReadOnlyList<string> Genuine,
        IReadOnlyList<string> Fake,
        IReadOnlyList<GuideParty> Parties,
        IReadOnlyList<GuideRoute> Routes,
        string? Packaging,
        IReadOnlyList<PriceBand> PriceBands,
        IReadOnlyList<GuideContact> Contacts);

    private sealed record Row(
        Guid Id, string Title, string[] GenuineFeatures, string[] FakeIndicators, string? Packaging, string Routes, string PriceBands, string Contacts,
        Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh, string OwnerKind, Guid RecordedByOrgId, string RecorderNameEn, string RecorderNameZh,
        string RecorderKind, string Distribution, Guid? SharingGroupId, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public GuideView ToView(IReadOnlyList<RightRef> rights, IReadOnlyList<GuideParty> parties, IReadOnlyList<GuidePictureView> pictures) => new(
            Id, Title, rights, GenuineFeatures, FakeIndicators, parties,
            JsonSerializer.Deserialize<List<GuideRoute>>(Routes, PartsJson) ?? [],
            Packaging,
            JsonSerializer.Deserialize<List<PriceBand>>(PriceBands, PartsJson) ?? [],
            JsonSerializer.Deserialize<List<GuideContact>>(Contacts, PartsJson) ?? [],
            pictures,
            new OrganisationRef(OwnerOrgId, OwnerNameEn, OwnerNameZh, OwnerKind),
            new OrganisationRef(RecordedByOrgId, RecorderNameEn, RecorderNameZh, RecorderKind),
            Distributions.Parse(Distribution), SharingGroupId, Version, CreatedAt, UpdatedAt);
    }

    private sealed record SummaryRow(Guid Id, string Title, Guid OwnerOrgId, string NameEn, string NameZh, string Kind, int Pictures, DateTimeOffset UpdatedAt)
    {
        public GuideSummary ToView() => new(Id, Title, new OrganisationRef(OwnerOrgId, NameEn, NameZh, Kind), Pictures, UpdatedAt);
    }
}
