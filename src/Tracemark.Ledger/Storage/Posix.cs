using System.Runtime.InteropServices;
using System.Text;

namespace Tracemark.Ledger.Storage;

/// <summary>
/// fsync of a directory, which .NET cannot open as a file. A newly created file survives a power cut only once
/// the directory entry naming it is on disk too (POSIX fsync(2)); the log needs that once, when it creates its files.
/// </summary>
internal static partial class Posix
{
    public static void SyncDirectory(string path)
    {
        var descriptor = NativeMethods.open(Encoding.UTF8.GetBytes(path + "\0"), 0 /* O_RDONLY */);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open the folder {path} to make its entries durable (errno {Marshal.GetLastPInvokeError().ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        try
        {
            if (NativeMethods.fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of the folder {path} failed (errno {Marshal.GetLastPInvokeError().ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }
        }
        finally
        {
            _ = NativeMethods.close(descriptor);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SA1300, IDE1006 // the C library's names
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int fsync(int descriptor);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int close(int descriptor);
#pragma warning restore SA1300, IDE1006
    }
}
