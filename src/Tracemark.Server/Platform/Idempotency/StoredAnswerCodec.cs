using System.IO.Compression;
using Microsoft.AspNetCore.DataProtection;

namespace Tracemark.Server.Platform.Idempotency;

/// <summary>
/// How an answer to a keyed request is kept: deflated, then encrypted with the server's data-protection keys, and
/// marked as such by one byte in front. Encrypted bytes do not compress, so PostgreSQL's own compression could never
/// shrink an answer: a notice's view (4.9 kB kept) went to the TOAST table in three chunks per filing, each with its
/// index entry. Deflated first it is kept in 1.8 kB, one chunk (docs/benchmarks.md, issue 6).
/// Answers kept before this begin with the data-protection format's own magic header (0x09F0C9F0) and are read as
/// they were written.
/// </summary>
internal sealed class StoredAnswerCodec(IDataProtectionProvider protection)
{
    // Not the first byte of a data-protection payload (0x09), so the two kinds cannot be taken for one another.
    private const byte Deflated = (byte)'D';

    private readonly IDataProtector _protector = protection.CreateProtector("Tracemark.Idempotency.Response.v1");

    public byte[] Seal(ReadOnlySpan<byte> answer)
    {
        using var deflated = new MemoryStream(answer.Length / 3 + 64);
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(answer);
        }

        var sealedAnswer = _protector.Protect(deflated.ToArray());
        var stored = new byte[sealedAnswer.Length + 1];
        stored[0] = Deflated;
        sealedAnswer.CopyTo(stored, 1);
        return stored;
    }

    public byte[] Open(byte[] stored)
    {
        if (stored.Length == 0 || stored[0] != Deflated)
        {
            return _protector.Unprotect(stored);
        }

        var deflated = _protector.Unprotect(stored.AsSpan(1).ToArray());
        using var inflate = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        using var answer = new MemoryStream(deflated.Length * 4);
        inflate.CopyTo(answer);
        return answer.ToArray();
    }
}
