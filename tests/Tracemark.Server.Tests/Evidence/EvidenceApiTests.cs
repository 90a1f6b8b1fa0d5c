using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using Tracemark.Ledger;
using static Tracemark.Server.Tests.Evidence.EvidenceWorld;

namespace Tracemark.Server.Tests.Evidence;

/// <summary>Evidence through the API: uploads, custody, views, receipts, and what each organisation may see.</summary>
public sealed class EvidenceApiTests(EvidenceFactory factory) : IClassFixture<EvidenceFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_upload_stores_the_file_with_its_description_and_appends_collected_and_uploaded_to_the_log()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var alert = await AlertAsync(factory, customs.Id, "node");
        var bytes = UniquePicture();

        var evidence = await UploadAsync(customs.Client, bytes, Fields(alert), "扣押照片 1.png");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), evidence.Sha256());
        Assert.Equal("image/png", evidence.GetProperty("mediaType").GetString());
        Assert.Equal(bytes.Length, evidence.GetProperty("size").GetInt64());
        Assert.Equal("扣押照片 1.png", evidence.GetProperty("originalName").GetString());
        Assert.Equal(alert.ToString(), evidence.GetProperty("record").GetProperty("id").GetString());
        Assert.Equal("Express Mail Centre, bay 2", evidence.GetProperty("collectedWhere").GetString());
        Assert.Equal(customs.Id.ToString(), evidence.GetProperty("custodian").GetProperty("id").GetString());
        Assert.Equal(["collected", "uploaded"], evidence.Kinds());
        var indices = evidence.LeafIndices();
        Assert.Equal(indices[0] + 1, indices[1]);

        // The leaves are what the rows say, byte for byte: identifiers, the evidence's hash, the collection time.
        var collected = CustodyEvent.Decode(factory.Ledger.Log.ReadLeaf((ulong)indices[0]));
        var uploaded = CustodyEvent.Decode(factory.Ledger.Log.ReadLeaf((ulong)indices[1]));
        Assert.Equal(CustodyEventKind.Collected, collected.Kind);
        Assert.Equal(CollectedAt, collected.Time);
        Assert.Equal(SHA256.HashData(bytes), collected.EvidenceSha256.ToArray());
        Assert.Equal("org:" + customs.Id, collected.Organisation);
        Assert.StartsWith("key:", collected.Actor, StringComparison.Ordinal);
        Assert.Equal("alert/" + alert, collected.Record);
        Assert.Equal(CustodyEventKind.Uploaded, uploaded.Kind);
        Assert.Equal(factory.Clock.GetUtcNow(), uploaded.Time);

        await using var owner = await factory.OpenOwnerConnectionAsync();
        var hashes = (await owner.QueryAsync<byte[]>("SELECT leaf_hash FROM custody_events WHERE evidence_id = @id::uuid ORDER BY leaf_index", new { id = evidence.Id() })).ToList();
        Assert.Equal(factory.Ledger.Log.ReadLeafHash((ulong)indices[0]), hashes[0]);
        Assert.Equal(factory.Ledger.Log.ReadLeafHash((ulong)indices[1]), hashes[1]);
        Assert.Equal(1, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'evidence.upload' AND record_id = @id AND api_key_id IS NOT NULL", new { id = evidence.Id() }));
    }

    [Fact]
    public async Task The_same_bytes_are_stored_once_but_every_submission_keeps_its_own_description_and_custody()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var police = await OrgAsync(factory, OrganisationKind.Police);
        var bytes = UniquePicture();

        var first = await UploadAsync(customs.Client, bytes);
        var second = await UploadAsync(police.Client, bytes, new Dictionary<string, string>(Fields(), StringComparer.Ordinal) { ["collectedBy"] = "Inspector Zhao" });
        var third = await UploadAsync(customs.Client, bytes);

        Assert.Equal(first.Sha256(), second.Sha256());
        Assert.Equal(3, new[] { first.Id(), second.Id(), third.Id() }.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("Inspector Zhao", second.GetProperty("collectedBy").GetString());
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM blobs WHERE sha256 = @sha", new { sha = first.Sha256() }));
        Assert.Equal(6, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM custody_events c JOIN evidence_items e ON e.id = c.evidence_id WHERE e.sha256 = @sha", new { sha = first.Sha256() }));
        Assert.Single(Directory.GetFiles(Path.Combine(factory.DataFolder, "blobs"), first.Sha256(), SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("en", "must not be in the future")]
    [InlineData("zh-CN", "不能晚于当前时间")]
    public async Task Bad_input_is_refused_naming_every_field_in_the_callers_language_and_nothing_is_written(string language, string futureMessage)
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs, language: language);
        var police = await OrgAsync(factory, OrganisationKind.Police);
        var hidden = await AlertAsync(factory, police.Id, "organisation");
        var sizeBefore = factory.Ledger.Log.Size;
        var text = Encoding.UTF8.GetBytes("not a picture " + Guid.NewGuid());
        var future = factory.Clock.GetUtcNow().AddMinutes(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var everything = await customs.Client.PostAsync(
            "/api/v1/evidence",
            Form(null, fields: new Dictionary<string, string>(Fields(collectedAt: future), StringComparer.Ordinal) { ["recordType"] = "seizure", ["recordId"] = Guid.NewGuid().ToString(), ["colour"] = "red" }),
            _ct);
        var body = await everything.Content.ReadAsStringAsync(_ct);
        Assert.Equal(
            ["collectedAt:evidence.in_future", "colour:unknown_field", "file:required", "recordType:evidence.record_type_unknown"],
            (await FieldErrorsAsync(everything)).Order(StringComparer.Ordinal));
        Assert.Contains(futureMessage, body, StringComparison.Ordinal);

        var wrongType = await customs.Client.PostAsync("/api/v1/evidence", Form(text, "notes.png"), _ct);
        Assert.Equal(["file:file.type_not_allowed"], await FieldErrorsAsync(wrongType));
        var empty = await customs.Client.PostAsync("/api/v1/evidence", Form([], "empty.png"), _ct);
        Assert.Equal(["file:file.empty"], await FieldErrorsAsync(empty));
        var notVisible = await customs.Client.PostAsync("/api/v1/evidence", Form(UniquePicture(), fields: Fields(hidden)), _ct);
        Assert.Equal(["recordId:evidence.record_unknown"], await FieldErrorsAsync(notVisible));
        var notMultipart = await customs.Client.PostAsync("/api/v1/evidence", new StringContent("{}", Encoding.UTF8, "application/json"), _ct);
        Assert.Equal(["file:file.multipart_required"], await FieldErrorsAsync(notMultipart));

        Assert.Equal(sizeBefore, factory.Ledger.Log.Size);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(0, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM evidence_items WHERE owner_org_id = @id", new { id = customs.Id }));
        Assert.Equal(0, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM blobs WHERE sha256 = @sha", new { sha = Convert.ToHexStringLower(SHA256.HashData(text)) }));
        var blobs = Path.Combine(factory.DataFolder, "blobs");
        Assert.Empty(Directory.Exists(blobs) ? Directory.GetFiles(blobs, Convert.ToHexStringLower(SHA256.HashData(text)), SearchOption.AllDirectories) : []);
        Assert.Empty(Directory.Exists(Path.Combine(blobs, "tmp")) ? Directory.GetFiles(Path.Combine(blobs, "tmp")) : []);
    }

    [Fact]
    public async Task Evidence_is_seen_by_its_collector_its_holder_those_it_was_handed_to_and_the_readers_of_its_record()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var police = await OrgAsync(factory, OrganisationKind.Police);
        var regulator = await OrgAsync(factory, OrganisationKind.MarketRegulator);
        var abroad = await OrgAsync(factory, OrganisationKind.ForeignPartner, abroad: true);
        var own = await UploadAsync(customs.Client, UniquePicture(), Fields(await AlertAsync(factory, customs.Id, "organisation")));
        var nodeWide = await UploadAsync(customs.Client, UniquePicture(), Fields(await AlertAsync(factory, customs.Id, "node")));
        var partners = await UploadAsync(customs.Client, UniquePicture(), Fields(await AlertAsync(factory, customs.Id, "partners")));
        var disclosed = await UploadAsync(customs.Client, UniquePicture());
        await PostJsonAsync(customs.Client, $"/api/v1/evidence/{disclosed.Id()}/custody-events", new { kind = "disclosed", counterpartyOrganisationId = police.Id }, HttpStatusCode.Created);
        await factory.SignAsync();

        var expected = new Dictionary<string, Org[]>(StringComparer.Ordinal)
        {
            [own.Id()] = [customs],
            [nodeWide.Id()] = [customs, police, regulator],
            [partners.Id()] = [customs, police, regulator, abroad],
            [disclosed.Id()] = [customs, police],
        };
        var evidence = new[] { own, nodeWide, partners, disclosed };
        foreach (var org in new[] { customs, police, regulator, abroad })
        {
            var listed = (await org.Client.GetFromJsonAsync<JsonElement>("/api/v1/evidence", _ct)).GetProperty("items").EnumerateArray().Select(e => e.Id()).ToHashSet(StringComparer.Ordinal);
            foreach (var item in evidence)
            {
                var may = expected[item.Id()].Contains(org);
                var who = $"{org.Id} on {item.Id()}";
                Assert.True(may == listed.Contains(item.Id()), "list: " + who);
                Assert.True((may ? HttpStatusCode.OK : HttpStatusCode.NotFound) == (await org.Client.GetAsync($"/api/v1/evidence/{item.Id()}", _ct)).StatusCode, "item: " + who);
                Assert.True((may ? HttpStatusCode.OK : HttpStatusCode.NotFound) == (await org.Client.GetAsync($"/api/v1/evidence/{item.Sha256()}/receipt", _ct)).StatusCode, "receipt: " + who);
            }
        }

        var sizeBefore = factory.Ledger.Log.Size;
        Assert.Equal(HttpStatusCode.NotFound, (await regulator.Client.GetAsync($"/api/v1/evidence/{disclosed.Id()}/file", _ct)).StatusCode);
        Assert.Equal(sizeBefore, factory.Ledger.Log.Size);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync($"/api/v1/evidence/{partners.Sha256()}/receipt", _ct)).StatusCode);
    }

    [Fact]
    public async Task Custody_actions_change_holder_and_status_and_each_is_a_leaf_with_its_row()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var police = await OrgAsync(factory, OrganisationKind.Police, language: "zh-CN");
        var regulator = await OrgAsync(factory, OrganisationKind.MarketRegulator);
        var evidence = await UploadAsync(customs.Client, UniquePicture());
        var path = $"/api/v1/evidence/{evidence.Id()}/custody-events";

        var transfer = await PostJsonAsync(customs.Client, path, new { kind = "transferred", counterpartyOrganisationId = police.Id, note = "Transfer form T-17" }, HttpStatusCode.Created);
        var again = await customs.Client.PostAsync(path, JsonContent.Create(new { kind = "transferred", counterpartyOrganisationId = regulator.Id }), _ct);
        var noNote = await police.Client.PostAsync(path, JsonContent.Create(new { kind = "sampled" }), _ct);
        await PostJsonAsync(police.Client, path, new { kind = "sampled", note = "3 strips to the testing institute, seal 4418 (送检)" }, HttpStatusCode.Created);
        await PostJsonAsync(police.Client, path, new { kind = "destroyed", note = "Certificate of destruction D-9", occurredAt = "2026-03-02T08:00:00Z" }, HttpStatusCode.Created);
        var afterDestruction = await police.Client.PostAsync(path, JsonContent.Create(new { kind = "transferred", counterpartyOrganisationId = regulator.Id }), _ct);
        await PostJsonAsync(police.Client, path, new { kind = "disclosed", counterpartyOrganisationId = regulator.Id }, HttpStatusCode.Created);

        Assert.Equal("transferred", transfer.GetProperty("kind").GetString());
        Assert.Equal(police.Id.ToString(), transfer.GetProperty("counterparty").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Contains("evidence.not_custodian", await again.Content.ReadAsStringAsync(_ct), StringComparison.Ordinal);
        Assert.Equal(["note:required"], await FieldErrorsAsync(noNote));
        Assert.Equal(HttpStatusCode.Conflict, afterDestruction.StatusCode);
        Assert.Contains("已不在保管中", await afterDestruction.Content.ReadAsStringAsync(_ct), StringComparison.Ordinal);

        // The collector still sees it after handing it over, and so does every organisation it was given to.
        var now = await customs.Client.GetFromJsonAsync<JsonElement>($"/api/v1/evidence/{evidence.Id()}", _ct);
        Assert.Equal(["collected", "uploaded", "transferred", "sampled", "destroyed", "disclosed"], now.Kinds());
        Assert.Equal(police.Id.ToString(), now.GetProperty("custodian").GetProperty("id").GetString());
        Assert.Equal("destroyed", now.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await regulator.Client.GetAsync($"/api/v1/evidence/{evidence.Id()}", _ct)).StatusCode);
        var destroyed = now.GetProperty("custody")[4];
        Assert.Equal("2026-03-02T08:00:00+00:00", destroyed.GetProperty("occurredAt").GetString());
        var leaf = CustodyEvent.Decode(factory.Ledger.Log.ReadLeaf((ulong)destroyed.GetProperty("leafIndex").GetInt64()));
        Assert.Equal(CustodyEventKind.Destroyed, leaf.Kind);
        Assert.Equal("org:" + police.Id, leaf.Organisation);
        Assert.Equal("Certificate of destruction D-9", leaf.Note);
        var handover = CustodyEvent.Decode(factory.Ledger.Log.ReadLeaf((ulong)transfer.GetProperty("leafIndex").GetInt64()));
        Assert.Equal("org:" + police.Id, handover.Counterparty);

        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(4, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'evidence.custody' AND record_id = @id AND record_owner_id = @owner", new { id = evidence.Id(), owner = customs.Id }));
    }

    [Fact]
    public async Task A_batch_is_all_or_nothing_one_append_and_names_the_event_at_fault()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var police = await OrgAsync(factory, OrganisationKind.Police);
        var a = await UploadAsync(customs.Client, UniquePicture());
        var b = await UploadAsync(customs.Client, UniquePicture());
        var sizeBefore = factory.Ledger.Log.Size;

        var faulty = await customs.Client.PostAsync(
            "/api/v1/evidence/custody-events",
            JsonContent.Create(new { events = new object[] { new { evidenceId = a.Id(), kind = "sampled", note = "strip 1" }, new { evidenceId = b.Id(), kind = "transferred" }, new { evidenceId = b.Id(), kind = "lost" } } }),
            _ct);
        Assert.Equal(["events[1].counterpartyOrganisationId:required", "events[2].kind:evidence.kind_unknown"], (await FieldErrorsAsync(faulty)).Order(StringComparer.Ordinal));
        var tooMany = await customs.Client.PostAsync("/api/v1/evidence/custody-events", JsonContent.Create(new { events = Enumerable.Repeat(new { evidenceId = a.Id(), kind = "sampled", note = "x" }, 1001) }), _ct);
        Assert.Equal(["events:too_many"], await FieldErrorsAsync(tooMany));
        Assert.Equal(sizeBefore, factory.Ledger.Log.Size);

        // A transfer early in a batch hands the later actions on that evidence to the new holder: refused, all of it.
        var handedOn = await customs.Client.PostAsync(
            "/api/v1/evidence/custody-events",
            JsonContent.Create(new { events = new object[] { new { evidenceId = a.Id(), kind = "transferred", counterpartyOrganisationId = police.Id }, new { evidenceId = a.Id(), kind = "sampled", note = "too late" } } }),
            _ct);
        Assert.Equal(HttpStatusCode.Forbidden, handedOn.StatusCode);
        Assert.Equal(sizeBefore, factory.Ledger.Log.Size);

        var batch = await PostJsonAsync(
            customs.Client,
            "/api/v1/evidence/custody-events",
            new { events = new object[] { new { evidenceId = a.Id(), kind = "sampled", note = "strip 1" }, new { evidenceId = b.Id(), kind = "disclosed", counterpartyOrganisationId = police.Id }, new { evidenceId = a.Id(), kind = "transferred", counterpartyOrganisationId = police.Id } } },
            HttpStatusCode.OK);
        Assert.Equal([(long)sizeBefore, (long)sizeBefore + 1, (long)sizeBefore + 2], batch.EnumerateArray().Select(e => e.GetProperty("leafIndex").GetInt64()));
        Assert.Equal(["sampled", "disclosed", "transferred"], batch.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Opening_the_file_is_a_viewed_leaf_and_an_audited_read()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var police = await OrgAsync(factory, OrganisationKind.Police);
        var bytes = UniquePicture();
        var evidence = await UploadAsync(customs.Client, bytes);
        await PostJsonAsync(customs.Client, $"/api/v1/evidence/{evidence.Id()}/custody-events", new { kind = "disclosed", counterpartyOrganisationId = police.Id }, HttpStatusCode.Created);

        var file = await police.Client.GetAsync($"/api/v1/evidence/{evidence.Id()}/file", _ct);

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await file.Content.ReadAsByteArrayAsync(_ct));
        var chain = (await police.Client.GetFromJsonAsync<JsonElement>($"/api/v1/evidence/{evidence.Id()}", _ct)).GetProperty("custody");
        var viewed = chain[chain.GetArrayLength() - 1];
        Assert.Equal("viewed", viewed.GetProperty("kind").GetString());
        Assert.Equal(police.Id.ToString(), viewed.GetProperty("organisation").GetProperty("id").GetString());
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await owner.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'evidence.view' AND record_id = @id AND organisation_id = @police AND record_owner_id = @customs",
            new { id = evidence.Id(), police = police.Id, customs = customs.Id }));
    }

    [Fact]
    public async Task A_receipt_waits_for_a_signed_tree_head_then_verifies_offline_with_the_published_key()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var bytes = UniquePicture();
        await factory.SignAsync();
        var evidence = await UploadAsync(customs.Client, bytes);
        var indices = evidence.LeafIndices();

        var early = await customs.Client.GetAsync($"/api/v1/evidence/{evidence.Sha256()}/receipt", _ct);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("2", early.Headers.RetryAfter?.ToString());
        Assert.Contains("ledger.not_signed_yet", await early.Content.ReadAsStringAsync(_ct), StringComparison.Ordinal);

        await factory.SignAsync();
        var response = await customs.Client.GetAsync($"/api/v1/evidence/{evidence.Sha256().ToUpperInvariant()}/receipt", _ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var receipt = Receipt.FromJson(await response.Content.ReadAsStringAsync(_ct));
        using var key = LedgerKey.FromPem(await factory.CreateClient().GetStringAsync("/api/v1/ledger/public-key", _ct));
        var report = receipt.Verify(key, SHA256.HashData(bytes));
        Assert.True(report.AllHold, report.Failure?.Description);
        Assert.DoesNotContain(report.Steps, s => s.Outcome == StepOutcome.NotChecked);
        Assert.Equal((ulong)indices[0], receipt.LeafIndex);
        Assert.Equal(factory.Ledger.Log.Size, receipt.TreeSize);

        var uploaded = Receipt.FromJson(await customs.Client.GetStringAsync($"/api/v1/evidence/{evidence.Sha256()}/receipt?leafIndex={indices[1]}", _ct));
        Assert.Equal(CustodyEventKind.Uploaded, CustodyEvent.Decode(uploaded.Leaf).Kind);
        Assert.Equal(HttpStatusCode.NotFound, (await customs.Client.GetAsync($"/api/v1/evidence/{evidence.Sha256()}/receipt?leafIndex={indices[1] + 1}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await customs.Client.GetAsync($"/api/v1/evidence/{new string('a', 64)}/receipt", _ct)).StatusCode);
        Assert.Equal(["leafIndex:number.invalid"], await FieldErrorsAsync(await customs.Client.GetAsync($"/api/v1/evidence/{evidence.Sha256()}/receipt?leafIndex=first", _ct)));
        Assert.Equal(["sha256:evidence.sha256_invalid"], await FieldErrorsAsync(await customs.Client.GetAsync("/api/v1/evidence/abc/receipt", _ct)));
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(2, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'evidence.receipt' AND record_id = @id", new { id = evidence.Id() }));
    }

    [Fact]
    public async Task Tree_heads_are_public_all_kept_and_their_proofs_check_out()
    {
        var customs = await OrgAsync(factory, OrganisationKind.Customs);
        var anonymous = factory.CreateClient();
        await UploadAsync(customs.Client, UniquePicture());
        await factory.SignAsync();
        var older = SignedTreeHead.FromJson(await anonymous.GetStringAsync("/api/v1/ledger/tree-head", _ct));
        var evidence = await UploadAsync(customs.Client, UniquePicture());
        await UploadAsync(customs.Client, UniquePicture());
        await factory.SignAsync();
        var newer = SignedTreeHead.FromJson(await anonymous.GetStringAsync("/api/v1/ledger/tree-head", _ct));
        using var key = LedgerKey.FromPem(await anonymous.GetStringAsync("/api/v1/ledger/public-key", _ct));

        Assert.Equal(older.TreeSize + 4, newer.TreeSize);
        var kept = SignedTreeHead.FromJson(await anonymous.GetStringAsync($"/api/v1/ledger/tree-heads/{older.TreeSize}", _ct));
        Assert.Equal(older.SignedBytes(), kept.SignedBytes());
        Assert.True(key.Verify(kept).IsValid);
        var proof = ConsistencyProof.FromJson(await anonymous.GetStringAsync($"/api/v1/ledger/consistency?fromSize={older.TreeSize}&toSize={newer.TreeSize}", _ct));
        var consistency = proof.Verify(older, newer, key);
        Assert.True(consistency.AllHold, consistency.Failure?.Description);

        var index = (ulong)evidence.LeafIndices()[0];
        var inclusion = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/ledger/inclusion?leafIndex={index}&treeSize={newer.TreeSize}", _ct);
        var path = inclusion.GetProperty("inclusionProof").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList();
        Assert.True(Merkle.VerifyInclusion(index, newer.TreeSize, factory.Ledger.Log.ReadLeafHash(index), path, newer.RootHash).IsValid);

        Assert.Equal(["fromSize:out_of_range"], await FieldErrorsAsync(await anonymous.GetAsync($"/api/v1/ledger/consistency?fromSize=0&toSize={newer.TreeSize}", _ct)));
        Assert.Equal(["toSize:ledger.beyond_signed"], await FieldErrorsAsync(await anonymous.GetAsync($"/api/v1/ledger/consistency?fromSize=1&toSize={newer.TreeSize + 1}", _ct)));
        Assert.Equal(["fromSize:ledger.above"], await FieldErrorsAsync(await anonymous.GetAsync($"/api/v1/ledger/consistency?fromSize={newer.TreeSize}&toSize={older.TreeSize}", _ct)));
        Assert.Equal(["leafIndex:ledger.not_below"], await FieldErrorsAsync(await anonymous.GetAsync($"/api/v1/ledger/inclusion?leafIndex={newer.TreeSize}&treeSize={newer.TreeSize}", _ct)));
        Assert.Equal(["treeSize:required"], await FieldErrorsAsync(await anonymous.GetAsync("/api/v1/ledger/inclusion?leafIndex=0", _ct)));
        Assert.Equal(["treeSize:number.invalid"], await FieldErrorsAsync(await anonymous.GetAsync("/api/v1/ledger/tree-heads/-1", _ct)));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/ledger/tree-heads/{newer.TreeSize - 1}", _ct)).StatusCode);
        Assert.Equal("application/x-pem-file", (await anonymous.GetAsync("/api/v1/ledger/public-key", _ct)).Content.Headers.ContentType?.MediaType);

        await using var owner = await factory.OpenOwnerConnectionAsync();
        foreach (var (size, root, timestamp, signature) in await owner.QueryAsync<(long, byte[], long, byte[])>("SELECT tree_size, root_hash, timestamp_ms, signature FROM tree_heads"))
        {
            Assert.True(key.Verify(new SignedTreeHead((ulong)size, root, DateTimeOffset.FromUnixTimeMilliseconds(timestamp), signature)).IsValid);
            Assert.Equal(factory.Ledger.Log.RootAt((ulong)size), root);
        }
    }
}
