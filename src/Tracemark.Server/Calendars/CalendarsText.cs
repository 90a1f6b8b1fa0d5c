namespace Tracemark.Server.Calendars;

/// <summary>Marker for the calendar pages' strings (CalendarsText.resx, CalendarsText.zh-CN.resx).</summary>
public sealed class CalendarsText;
