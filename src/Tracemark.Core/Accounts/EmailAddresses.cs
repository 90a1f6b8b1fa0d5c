using System.Net.Mail;

namespace Tracemark.Core.Accounts;

public static class EmailAddresses
{
    /// <summary>
    /// A plain mailbox address (local@domain.tld) without display names or comments, at most 254
    /// characters; returns it trimmed, or null when it is not one.
    /// </summary>
    public static string? Normalise(string? input)
    {
        var trimmed = input?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 254 || trimmed.Any(char.IsWhiteSpace) || trimmed.Count(c => c == '@') != 1)
        {
            return null;
        }

        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        var domain = trimmed[(at + 1)..];
        if (at == 0 || domain.Length < 3 || !domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        return MailAddress.TryCreate(trimmed, out var address) && string.Equals(address.Address, trimmed, StringComparison.Ordinal) ? trimmed : null;
    }
}

/// <summary>Rules for passwords people choose, beyond length (which Identity checks).</summary>
public static class PasswordRules
{
    public const int MinimumLength = 10;

    // A few of the most used passwords of at least the minimum length: facts from public breach statistics.
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "123456789a", "0123456789", "qwertyuiop", "1q2w3e4r5t", "password12", "password123", "password1234",
        "iloveyou12", "abcdefghij", "abcd123456", "1qaz2wsx3edc", "qwerty1234", "qwerty123456", "passw0rd12", "welcome123",
        "admin12345", "adminadmin", "trustno1234", "letmein123", "football12", "monkey1234", "11111111111", "0000000000",
        "woaini1314", "5201314520", "aa123456789", "a123456789", "zxcvbnm123", "asdfghjkl1",
    };

    /// <summary>Problem codes for a candidate password: empty when it is acceptable.</summary>
    public static IReadOnlyList<string> Check(string password, string? email)
    {
        var problems = new List<string>();
        if (Common.Contains(password))
        {
            problems.Add("password.too_common");
        }

        if (password.Distinct().Count() < 5)
        {
            problems.Add("password.too_simple");
        }

        var local = email?.Split('@')[0];
        if (local is { Length: >= 3 } && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("password.contains_email");
        }

        return problems;
    }
}
