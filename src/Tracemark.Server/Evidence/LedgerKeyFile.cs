using Tracemark.Ledger;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Evidence;

/// <summary>
/// The node's tree-head key: the file TRACEMARK_LEDGER_KEY names, or <c>ledger-key.pem</c> in the data folder,
/// created on first start readable by the server's user only. Losing it does not lose evidence, but tree heads
/// signed afterwards verify only under the new key: back it up with the data folder.
/// </summary>
internal static class LedgerKeyFile
{
    public const string DefaultName = "ledger-key.pem";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static LedgerKey Load(TracemarkSettings settings, ILogger logger)
    {
        if (settings.LedgerKeyFile is { } configured)
        {
            if (!File.Exists(configured))
            {
                throw new StartupException($"TRACEMARK_LEDGER_KEY names {configured}, which does not exist: give the PEM file of the node's ECDSA P-256 private key, or unset it to use {DefaultName} in the data folder");
            }

            return Read(configured, logger);
        }

        var path = Path.Combine(settings.DataFolder, DefaultName);
        if (File.Exists(path))
        {
            return Read(path, logger);
        }

        var key = LedgerKey.Generate();
        Write(path, key.ExportPrivateKeyPem());
        logger.LogInformation("Created the ledger's signing key {Path} ({Fingerprint}); keep a copy with the data folder's backups", path, key.Fingerprint);
        return key;
    }

    private static LedgerKey Read(string path, ILogger logger)
    {
        LedgerKey key;
        try
        {
            key = LedgerKey.FromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot use {path} as the ledger's signing key: {ex.Message}", ex);
        }

        if (!key.CanSign)
        {
            key.Dispose();
            throw new StartupException($"{path} holds a public key only: the ledger needs the private key (PEM \"PRIVATE KEY\") to sign tree heads");
        }

        if ((File.GetUnixFileMode(path) & GroupOrOthers) != UnixFileMode.None)
        {
            logger.LogWarning("The ledger's signing key {Path} can be read by other users than the server's; chmod 600 it", path);
        }

        return key;
    }

    /// <summary>Written under a temporary name, flushed and renamed, so that a crash never leaves half a key that a restart would refuse.</summary>
    private static void Write(string path, string pem)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(pem));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: false);
        DurableFiles.FlushDirectory(folder);
    }
}
