namespace Tracemark.Server.Audit;

/// <summary>Marker for the audit page's strings (AuditText.resx, AuditText.zh-CN.resx).</summary>
public sealed class AuditText;
