using Tracemark.Core.Errors;
using Tracemark.Core.Evidence;

namespace Tracemark.Core.Tests.Evidence;

public sealed class EvidenceRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Customs = Guid.Parse("00000000-0000-7000-8000-000000000102");
    private static readonly Guid Police = Guid.Parse("00000000-0000-7000-8000-000000000104");

    [Theory]
    [InlineData(null, null, "Officer Lin", "2026-03-01T14:30", null)]
    [InlineData("alert", "01951234-5678-7000-8000-000000000001", "林乔", "2026-03-01 14:30:00+08:00", null)]
    [InlineData("right", "01951234-5678-7000-8000-000000000001", "Officer Lin", "2026-03-02T09:00:00Z", null)]
    [InlineData("case", "01951234-5678-7000-8000-000000000001", "Officer Lin", "2026-03-01T14:30", "recordType")]
    [InlineData("alert", null, "Officer Lin", "2026-03-01T14:30", "recordId")]
    [InlineData(null, "01951234-5678-7000-8000-000000000001", "Officer Lin", "2026-03-01T14:30", "recordType")]
    [InlineData("alert", "seizure 17", "Officer Lin", "2026-03-01T14:30", "recordId")]
    [InlineData(null, null, "  ", "2026-03-01T14:30", "collectedBy")]
    [InlineData(null, null, "Officer Lin", "", "collectedAt")]
    [InlineData(null, null, "Officer Lin", "yesterday", "collectedAt")]
    [InlineData(null, null, "Officer Lin", "2026-03-02T09:00:01Z", "collectedAt")]
    [InlineData(null, null, "Officer Lin", "2026-03-02 17:30+08:00", "collectedAt")]
    [InlineData(null, null, "Officer Lin", "1969-12-31T23:59:59Z", "collectedAt")]
    public void An_uploads_description_names_the_field_that_is_wrong(string? recordType, string? recordId, string collectedBy, string collectedAt, string? badField)
    {
        var rules = new FieldRules();
        EvidenceRules.Metadata(rules, recordType, recordId, collectedBy, collectedAt, null, null, null, Now);
        Assert.Equal(badField, rules.Errors.SingleOrDefault()?.Field);
    }

    [Fact]
    public void Times_are_UTC_to_the_millisecond_as_a_leaf_records_them()
    {
        var rules = new FieldRules();
        var metadata = EvidenceRules.Metadata(rules, null, null, "x", "2026-03-01T22:30:00.1239+08:00", null, null, null, Now);
        Assert.Empty(rules.Errors);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 14, 30, 0, 123, TimeSpan.Zero), metadata.CollectedAt);
        Assert.Equal(TimeSpan.Zero, metadata.CollectedAt.Offset);
    }

    [Theory]
    [InlineData(@"C:\fakepath\photo 1.jpg", "photo 1.jpg")]
    [InlineData("/home/lin/扣押照片.png", "扣押照片.png")]
    [InlineData("e\u0301vidence.pdf", "\u00e9vidence.pdf")]
    [InlineData("  ", null)]
    [InlineData(null, null)]
    public void The_original_name_keeps_the_last_part_in_NFC(string? given, string? expected)
    {
        var rules = new FieldRules();
        Assert.Equal(expected, EvidenceRules.FileName(rules, given));
        Assert.Empty(rules.Errors);
    }

    [Theory]
    [InlineData("folder/")]
    [InlineData("bad\u0007name.png")]
    public void A_name_that_is_no_file_name_is_refused(string given)
    {
        var rules = new FieldRules();
        Assert.Null(EvidenceRules.FileName(rules, given));
        Assert.Equal("originalName", Assert.Single(rules.Errors).Field);
    }

    [Fact]
    public void A_note_must_fit_a_leaf_in_bytes_not_only_in_characters()
    {
        var ascii = new FieldRules();
        EvidenceRules.Note(ascii, new string('a', 2000), required: false);
        var chinese = new FieldRules();
        EvidenceRules.Note(chinese, new string('样', 1400), required: false);
        var missing = new FieldRules();
        EvidenceRules.Note(missing, " ", required: true);

        Assert.Empty(ascii.Errors);
        Assert.Equal("too_long", Assert.Single(chinese.Errors).Code);
        Assert.Equal("required", Assert.Single(missing.Errors).Code);
    }

    // Holder and status before, the action, the counterparty (P = police, C = customs itself, - = none), and then either the
    // holder and status after or the problem.
    [Theory]
    [InlineData(EvidenceStatus.Held, CustodyAction.Transferred, "P", "P", EvidenceStatus.Held, null)]
    [InlineData(EvidenceStatus.Held, CustodyAction.Transferred, "-", "C", EvidenceStatus.Held, "counterpartyOrganisationId:required")]
    [InlineData(EvidenceStatus.Held, CustodyAction.Transferred, "C", "C", EvidenceStatus.Held, "counterpartyOrganisationId:evidence.counterparty_self")]
    [InlineData(EvidenceStatus.Held, CustodyAction.Disclosed, "P", "C", EvidenceStatus.Held, null)]
    [InlineData(EvidenceStatus.Held, CustodyAction.Disclosed, "-", "C", EvidenceStatus.Held, "counterpartyOrganisationId:required")]
    [InlineData(EvidenceStatus.Held, CustodyAction.Sampled, "-", "C", EvidenceStatus.Held, null)]
    [InlineData(EvidenceStatus.Held, CustodyAction.Sampled, "P", "C", EvidenceStatus.Held, "counterpartyOrganisationId:evidence.counterparty_not_for_kind")]
    [InlineData(EvidenceStatus.Held, CustodyAction.Returned, "P", "P", EvidenceStatus.Held, null)]
    [InlineData(EvidenceStatus.Held, CustodyAction.Returned, "-", "C", EvidenceStatus.Returned, null)]
    [InlineData(EvidenceStatus.Held, CustodyAction.Destroyed, "-", "C", EvidenceStatus.Destroyed, null)]
    [InlineData(EvidenceStatus.Destroyed, CustodyAction.Disclosed, "P", "C", EvidenceStatus.Destroyed, null)]
    [InlineData(EvidenceStatus.Destroyed, CustodyAction.Transferred, "P", null, null, "409:evidence.no_longer_held")]
    [InlineData(EvidenceStatus.Returned, CustodyAction.Sampled, "-", null, null, "409:evidence.no_longer_held")]
    [InlineData(EvidenceStatus.Destroyed, CustodyAction.Destroyed, "-", null, null, "409:evidence.no_longer_held")]
    public void Custody_changes_as_the_table_says(EvidenceStatus status, CustodyAction action, string counterparty, string? holderAfter, EvidenceStatus? statusAfter, string? problem)
    {
        var rules = new FieldRules();
        Guid? other = counterparty switch { "P" => Police, "C" => Customs, _ => null };
        if (problem is not null && problem.StartsWith("409:", StringComparison.Ordinal))
        {
            var refused = Assert.Throws<RuleViolationException>(() => EvidenceRules.Apply(rules, action, status, Customs, Customs, other));
            Assert.True(refused.IsConflict);
            Assert.Equal(problem[4..], refused.Code);
            return;
        }

        var outcome = EvidenceRules.Apply(rules, action, status, Customs, Customs, other);
        Assert.Equal(problem, rules.Errors.SingleOrDefault() is { } error ? error.Field + ":" + error.Code : null);
        Assert.Equal(holderAfter == "P" ? Police : Customs, outcome.Custodian);
        Assert.Equal(statusAfter, outcome.Status);
    }

    [Theory]
    [InlineData(CustodyAction.Disclosed)]
    [InlineData(CustodyAction.Transferred)]
    [InlineData(CustodyAction.Destroyed)]
    public void Only_the_holder_records_what_happens_to_evidence(CustodyAction action) =>
        Assert.Equal("evidence.not_custodian", Assert.Throws<AccessDeniedException>(() => EvidenceRules.Apply(new FieldRules(), action, EvidenceStatus.Held, Customs, Police, Police)).Code);

    [Theory]
    [InlineData("transferred", CustodyAction.Transferred)]
    [InlineData(" destroyed ", CustodyAction.Destroyed)]
    public void Actions_parse_from_their_wire_names(string text, CustodyAction expected)
    {
        Assert.True(EvidenceRules.TryParse<CustodyAction>(text, out var action));
        Assert.Equal(expected, action);
        Assert.False(EvidenceRules.TryParse<CustodyAction>("viewed", out _));
        Assert.False(EvidenceRules.TryParse<CustodyAction>("Transferred", out _));
    }
}
