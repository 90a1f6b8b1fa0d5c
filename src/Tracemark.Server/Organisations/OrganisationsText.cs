namespace Tracemark.Server.Organisations;

/// <summary>Marker for the organisation pages' strings (OrganisationsText.resx, OrganisationsText.zh-CN.resx).</summary>
public sealed class OrganisationsText;
