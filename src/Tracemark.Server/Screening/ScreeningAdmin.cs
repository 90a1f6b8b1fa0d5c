using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Screening;

public sealed record RiskTermView(string Term, string Language, bool Enabled);

public sealed record RiskTermInput(string? Term, string? Language);

public sealed record ExclusionsInput(IReadOnlyList<string>? Exclusions);

/// <summary>What administrators and rights holders change about screening: risk-term lists and a mark's exclusions.</summary>
public sealed class ScreeningAdmin(Db db)
{
    public async Task<IReadOnlyList<RiskTermView>> RiskTermsAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var terms = await tx.QueryAsync<RiskTermView>("SELECT term, language, enabled FROM screening_risk_terms ORDER BY language, term", cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return terms.ToList();
    }

    public async Task SetRiskTermAsync(RiskTermInput input, bool enabled, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var term = rules.Required("term", input.Term, 100);
        var language = rules.Required("language", input.Language, 5);
        if (language.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(language, "^[a-z]{2}(-[A-Z]{2})?$", System.Text.RegularExpressions.RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(1)))
        {
            rules.Add("language", "invalid_value");
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var changed = await tx.ExecuteAsync(
            enabled
                ? """
                  INSERT INTO screening_risk_terms (term, language, enabled, added_by) VALUES (@term, @language, true, @user)
                  ON CONFLICT (term, language) DO UPDATE SET enabled = true, updated_at = now() WHERE NOT screening_risk_terms.enabled
                  """
                : "UPDATE screening_risk_terms SET enabled = false, updated_at = now() WHERE term = @term AND language = @language AND enabled",
            new { term, language, user = tx.Caller.UserId },
            cancellationToken);
        if (!enabled && changed == 0 && !await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM screening_risk_terms WHERE term = @term AND language = @language)", new { term, language }, cancellationToken))
        {
            throw new RecordNotFoundException("risk_term", $"{language}:{term}");
        }

        if (changed > 0)
        {
            await tx.AuditAsync(enabled ? "risk_term.enable" : "risk_term.disable", "risk_term", $"{language}:{term}", cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Sets the phrases that contain a mark without infringing it; only the right's owner may (row-level security).</summary>
    public async Task<IReadOnlyList<string>> SetExclusionsAsync(Guid rightId, ExclusionsInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var exclusions = new List<string>();
        var given = input.Exclusions ?? [];
        if (given.Count > 200)
        {
            rules.Add("exclusions", "too_many", 200);
        }

        for (var i = 0; i < given.Count && i < 200; i++)
        {
            var value = rules.Required(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"exclusions[{i}]"), given[i], 200);
            if (value.Length > 0 && !exclusions.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                exclusions.Add(value);
            }
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var right = await tx.QuerySingleOrDefaultAsync<(Guid Owner, string[] Exclusions)>(
            "SELECT owner_org_id, screening_exclusions FROM rights WHERE id = @rightId",
            new { rightId },
            cancellationToken);
        if (right.Owner == Guid.Empty)
        {
            throw new RecordNotFoundException("right", rightId.ToString());
        }

        if (right.Owner != tx.Caller.OrganisationId)
        {
            throw new AccessDeniedException("right.not_owner", "Only the organisation that owns a right may change its screening exclusions.");
        }

        await tx.ExecuteAsync("UPDATE rights SET screening_exclusions = @exclusions, updated_at = now() WHERE id = @rightId", new { rightId, exclusions = exclusions.ToArray() }, cancellationToken);
        await tx.AuditAsync("right.screening_exclusions", "right", rightId.ToString(), right.Owner, new { exclusions = right.Exclusions }, new { exclusions }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return exclusions;
    }
}
