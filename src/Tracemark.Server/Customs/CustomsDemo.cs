using System.Security.Cryptography;
using Dapper;
using Tracemark.Server.Customs.Import;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Customs;

/// <summary>
/// Queues the documented example declarations (docs/examples/customs-declarations.csv) as an import of the demo
/// customs district, so the work list fills through the real pipeline (screening against the demo marks and guides,
/// scoring, storing) as soon as the server runs.
/// </summary>
public sealed class CustomsDemo : IDemoSeeder
{
    public static readonly Guid ImportId = Guid.Parse("00000000-0000-7000-8000-000000080001");

    public int Order => 60;

    public string Name => "customs declarations";

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        await using var resource = typeof(CustomsDemo).Assembly.GetManifestResourceStream("Tracemark.Customs.DemoDeclarations.csv")
            ?? throw new InvalidOperationException("The demo declarations are not embedded.");
        using var buffer = new MemoryStream();
        await resource.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();

        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM customs_imports WHERE id = @ImportId)", new { ImportId }, cancellationToken: cancellationToken)))
        {
            return;
        }

        var spool = DeclarationImports.SpoolPath(context.DataFolder, ImportId);
        Directory.CreateDirectory(Path.GetDirectoryName(spool)!);
        await File.WriteAllBytesAsync(spool, bytes, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO customs_imports (id, owner_org_id, file_name, format, bytes, sha256, status, created_at)
            VALUES (@ImportId, @customs, 'customs-declarations.csv', 'csv', @size, @sha256, 'queued', @now)
            """,
            new { ImportId, customs = OrganisationDemo.ByKey("customs").Id, size = bytes.LongLength, sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), now = context.Clock.GetUtcNow() },
            cancellationToken: cancellationToken));
    }
}
