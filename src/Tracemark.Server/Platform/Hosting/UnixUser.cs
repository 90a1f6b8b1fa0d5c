using System.Globalization;

namespace Tracemark.Server.Platform.Hosting;

internal static class UnixUser
{
    /// <summary>True when the effective user id is 0, read from the kernel rather than from a name.</summary>
    public static bool IsRoot()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var ids = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return ids.Length > 1 && int.Parse(ids[1], CultureInfo.InvariantCulture) == 0;
            }
        }

        return false;
    }

    public static bool Exists(string name) =>
        File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));
}
