namespace Tracemark.Server.Accounts;

/// <summary>Marker for the account pages' strings (AccountsText.resx, AccountsText.zh-CN.resx).</summary>
public sealed class AccountsText;
