using System.Globalization;
using System.Runtime.InteropServices;

namespace Tracemark.Server.Platform.Blobs;

/// <summary>
/// A rename is atomic but not durable until the directory that holds the new name is flushed too; .NET
/// flushes files but cannot open a directory, so this asks the kernel directly.
/// </summary>
internal static partial class DurableFiles
{
    // O_RDONLY; O_DIRECTORY would only add a check, and its value differs between architectures.
    private const int ReadOnly = 0;

    /// <summary>Flushes a directory's entries (new and renamed names) to disk.</summary>
    public static void FlushDirectory(string path)
    {
        var descriptor = Open(path, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"Cannot open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()})."));
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"Cannot flush directory {path} (errno {Marshal.GetLastPInvokeError()})."));
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
