using Microsoft.Net.Http.Headers;

namespace Tracemark.Server.Platform.Blobs;

/// <summary>Sends a stored file to a reader a feature has already authorised (and audited).</summary>
public static class BlobResults
{
    public static async Task<IResult> FileAsync(HttpContext context, BlobStore store, BlobInfo info, string? downloadName = null)
    {
        // Every read goes back to the server (which audits it); the ETag spares the bytes when unchanged.
        context.Response.Headers.CacheControl = "private, no-cache";

        // Pictures show inline; anything else downloads, so a PDF's scripts never run in our origin.
        var inline = info.MediaType.StartsWith("image/", StringComparison.Ordinal);
        var name = downloadName ?? $"{info.Sha256}.{MediaTypes.Extension(info.MediaType)}";
        return Results.File(
            await store.OpenReadAsync(info.Sha256, context.RequestAborted),
            info.MediaType == MediaTypes.PlainText ? "text/plain; charset=utf-8" : info.MediaType,
            inline ? null : name,
            entityTag: new EntityTagHeaderValue($"\"{info.Sha256}\""),
            enableRangeProcessing: true);
    }
}
