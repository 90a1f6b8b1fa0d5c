using System.Collections.Concurrent;
using System.Text.Json;
using Tracemark.Core.Customs;
using Tracemark.Core.Rights;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Customs.Import;

/// <summary>
/// What scoring needs to know about the rights whose marks were hit (classes, granted recordations, the
/// guides' parties, routes and price bands), loaded under row-level security as the scoring organisation:
/// a right, recordation or guide it may not see does not exist for the score. The screening lexicon holds
/// every active mark, so this is also where invisible marks drop out. Loaded once per right per import,
/// at most one query round per batch of lines.
/// </summary>
public sealed class RightFactsCache(Db db, Caller caller) : IDisposable
{
    private static readonly JsonSerializerOptions PartsJson = CreateJson();
    private readonly ConcurrentDictionary<Guid, RightFacts?> _facts = new();
    private readonly ConcurrentDictionary<Guid, byte> _guides = new();
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Guides consulted, for the import's audit entry (reading them for a score is a read of restricted records).</summary>
    public IReadOnlyCollection<Guid> GuidesRead => [.. _guides.Keys];

    public void Dispose() => _loading.Dispose();

    public RightFacts? Get(Guid rightId) => _facts.TryGetValue(rightId, out var facts) ? facts : null;

    /// <summary>Makes sure the facts of <paramref name="rightIds"/> are loaded (visible ones as facts, invisible ones as null).</summary>
    public async Task EnsureAsync(IReadOnlyCollection<Guid> rightIds, CancellationToken cancellationToken)
    {
        if (rightIds.All(_facts.ContainsKey))
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            var missing = rightIds.Where(id => !_facts.ContainsKey(id)).Distinct().ToArray();
            if (missing.Length == 0)
            {
                return;
            }

            foreach (var (id, facts) in await LoadAsync(missing, cancellationToken))
            {
                _facts[id] = facts;
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Dictionary<Guid, RightFacts?>> LoadAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(caller, cancellationToken);
        var rights = (await tx.QueryAsync<RightRow>(
            "SELECT id, owner_org_id, name, jurisdiction, classes FROM rights WHERE id = ANY (@ids)", new { ids }, cancellationToken)).ToList();
        var recordations = (await tx.QueryAsync<RecordationRow>(
            """
            SELECT rr.right_id, c.jurisdiction, c.reference, c.valid_from, c.valid_until, c.authority_org_ids
            FROM recordation_rights rr JOIN recordations c ON c.id = rr.recordation_id
            WHERE rr.right_id = ANY (@ids) AND c.status = 'granted'
            """,
            new { ids },
            cancellationToken)).ToList();
        var guides = (await tx.QueryAsync<GuideRow>(
            """
            SELECT gr.right_id, g.id AS guide_id, g.routes::text AS routes, g.price_bands::text AS price_bands
            FROM guide_rights gr JOIN guides g ON g.id = gr.guide_id
            WHERE gr.right_id = ANY (@ids)
            """,
            new { ids },
            cancellationToken)).ToList();
        var guideIds = guides.Select(g => g.GuideId).Distinct().ToArray();
        var parties = guideIds.Length == 0
            ? []
            : (await tx.QueryAsync<PartyRow>(
                "SELECT guide_id, role, name, address, country FROM guide_parties WHERE guide_id = ANY (@guideIds) ORDER BY position",
                new { guideIds },
                cancellationToken)).ToList();
        await tx.CommitAsync(cancellationToken);

        foreach (var guide in guideIds)
        {
            _guides.TryAdd(guide, 0);
        }

        var result = ids.ToDictionary(id => id, _ => (RightFacts?)null);
        foreach (var right in rights)
        {
            var rightGuides = guides.Where(g => g.RightId == right.Id).Select(g => new GuideFacts(
                    parties.Where(p => p.GuideId == g.GuideId).Select(p => new GuideParty(Role(p.Role), p.Name, p.Address, p.Country)).ToList(),
                    JsonSerializer.Deserialize<List<GuideRoute>>(g.Routes, PartsJson) ?? [],
                    JsonSerializer.Deserialize<List<PriceBand>>(g.PriceBands, PartsJson) ?? []))
                .ToList();
            result[right.Id] = new RightFacts(
                right.Id,
                right.OwnerOrgId,
                right.Name,
                right.Jurisdiction,
                right.Classes.Select(c => (int)c).ToList(),
                recordations.Where(r => r.RightId == right.Id)
                    .Select(r => new RecordationFacts(r.Jurisdiction, r.Reference, r.ValidFrom, r.ValidUntil, r.AuthorityOrgIds))
                    .ToList(),
                rightGuides);
        }

        return result;
    }

    private static PartyRole Role(string wire) => GuideRules.TryParseRole(wire, out var role) ? role : PartyRole.Distributor;

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }

    private sealed record RightRow(Guid Id, Guid OwnerOrgId, string Name, string Jurisdiction, short[] Classes);

    private sealed record RecordationRow(Guid RightId, string Jurisdiction, string? Reference, DateOnly? ValidFrom, DateOnly? ValidUntil, Guid[] AuthorityOrgIds);

    private sealed record GuideRow(Guid RightId, Guid GuideId, string Routes, string PriceBands);

    private sealed record PartyRow(Guid GuideId, string Role, string Name, string? Address, string? Country);
}
