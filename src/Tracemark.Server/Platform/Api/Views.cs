namespace Tracemark.Server.Platform.Api;

/// <summary>An organisation as other records refer to it in API answers: both names, so each reader can show theirs.</summary>
public sealed record OrganisationRef(Guid Id, string NameEn, string NameZh, string Kind);
