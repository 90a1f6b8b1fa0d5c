namespace Tracemark.Ledger.Tests;

/// <summary>The project's shared real data, read in place from ../shared/data next to the repository, never copied.</summary>
internal static class SharedData
{
    public static readonly string? Folder = Find();

    public static string SkipReason => "../shared/data is absent next to the repository, so the Merkle test vectors cannot be read";

    public static string MerkleVectors => Path.Combine(Folder ?? throw new InvalidOperationException(SkipReason), "merkle-vectors");

    private static string? Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tracemark.slnx")))
            {
                var data = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data"));
                return Directory.Exists(data) ? data : null;
            }
        }

        return null;
    }
}
