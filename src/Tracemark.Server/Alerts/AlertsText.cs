namespace Tracemark.Server.Alerts;

/// <summary>Marker for the alert pages' strings (AlertsText.resx, AlertsText.zh-CN.resx).</summary>
public sealed class AlertsText;
