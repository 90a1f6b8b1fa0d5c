namespace Tracemark.Server.Platform.Web;

/// <summary>A link in the top navigation; the text is a key in ShellText.</summary>
public sealed record NavigationLink(string Href, string TextKey);
