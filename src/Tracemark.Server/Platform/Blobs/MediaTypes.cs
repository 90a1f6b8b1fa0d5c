namespace Tracemark.Server.Platform.Blobs;

/// <summary>
/// What a file is, read from its first bytes ("magic numbers"), never from the name or the content type
/// a client claims: a script renamed to .png stays a script.
/// </summary>
public static class MediaTypes
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Pdf = "application/pdf";
    public const string Mp4 = "video/mp4";

    /// <summary>UTF-8 text the server wrote itself (never sniffed from a client's file).</summary>
    public const string PlainText = "text/plain";
    /// <summary>ZIP archives (customs hand-over packages). Office documents are ZIP too: no rule that takes uploads lists this type.</summary>
    public const string Zip = "application/zip";

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF];

    /// <summary>Bytes <see cref="Sniff"/> needs to tell every known type apart.</summary>
    public const int SniffLength = 16;

    /// <summary>The media type the bytes start like, or null when none of the known ones.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngSignature))
        {
            return Png;
        }

        if (head.StartsWith(JpegSignature))
        {
            return Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return Mp4;
        }

        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return Zip;
        }

        return null;
    }

    /// <summary>A file extension for downloads ("png"), from a media type this class knows.</summary>
    public static string Extension(string mediaType) => mediaType switch
    {
        Png => "png",
        Jpeg => "jpg",
        Gif => "gif",
        WebP => "webp",
        Pdf => "pdf",
        Mp4 => "mp4",
        PlainText => "txt",
        Zip => "zip",
        _ => "bin",
    };
}

/// <summary>What one use of the store accepts: at most <see cref="MaxBytes"/> bytes of one of <see cref="MediaTypes"/>.</summary>
public sealed record BlobRules(long MaxBytes, IReadOnlyList<string> MediaTypes)
{
    /// <summary>Pictures shown in pages: trademark images, guide photos.</summary>
    public static readonly BlobRules Images = new(10 * 1024 * 1024, [Blobs.MediaTypes.Png, Blobs.MediaTypes.Jpeg, Blobs.MediaTypes.Gif, Blobs.MediaTypes.WebP]);

    /// <summary>Certificates and other papers: PDF or a scan as a picture.</summary>
    public static readonly BlobRules Documents = new(25 * 1024 * 1024, [Blobs.MediaTypes.Pdf, Blobs.MediaTypes.Png, Blobs.MediaTypes.Jpeg, Blobs.MediaTypes.Gif, Blobs.MediaTypes.WebP]);
}
