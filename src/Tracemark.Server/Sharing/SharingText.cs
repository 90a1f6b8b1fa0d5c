namespace Tracemark.Server.Sharing;

/// <summary>Marker for the sharing-group pages' strings (SharingText.resx, SharingText.zh-CN.resx).</summary>
public sealed class SharingText;
