namespace Tracemark.Server.Platform.Web;

/// <summary>Marker for the web shell's strings (ShellText.resx, ShellText.zh-CN.resx): layout, navigation, common words.</summary>
public sealed class ShellText;
