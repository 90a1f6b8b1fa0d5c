using System.Globalization;
using System.IO.Compression;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Server.Accounts;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Evidence;

/// <summary>
/// Photographs of goods held in the demo's express-parcel case, with their chain of custody: customs collects and uploads
/// them, shows the tablets to the rights holder, samples them and hands them to the police, who open the file. The
/// tablets' photo belongs to the node-wide alert, so every organisation on the node sees it; the carton's photo shows a
/// waybill (names, addresses) and belongs to no record, so only customs and the police it was disclosed to see it. The
/// pictures are drawn here; every leaf goes through the real ledger and rules.
/// </summary>
public sealed class EvidenceDemo(IServiceScopeFactory scopes, EvidenceLedger ledger) : IDemoSeeder
{
    /// <summary>The customs alert about counterfeit blood-pressure tablets (AlertsDemo "a1").</summary>
    public static readonly Guid AlertId = Guid.Parse("00000000-0000-7000-8000-000000000201");

    public int Order => 60;

    public string Name => "evidence and its chain of custody";

    public async Task SeedAsync(DemoContext context, CancellationToken cancellationToken)
    {
        await using (var connection = await context.Database.OpenConnectionAsync(cancellationToken))
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM evidence_items WHERE owner_org_id = @customs)", new { customs = OrganisationDemo.ByKey("customs").Id }, cancellationToken: cancellationToken)))
            {
                return;
            }
        }

        await ledger.EnsureOpenAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<EvidenceStore>();
        var customs = store.As(await OfficerAsync(context, "customs", cancellationToken));
        var police = store.As(await OfficerAsync(context, "police", cancellationToken));
        var now = context.Clock.GetUtcNow();
        var collected = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-3).AddHours(10).AddMinutes(42);

        var blisters = await customs.UploadAsync(
            new MemoryStream(Blisters()),
            new NewEvidence(
                "alert",
                AlertId.ToString(),
                "Officer Lin Qiao, Express Mail Centre inspection team 3 (查验三组 林乔)",
                collected.ToString("O", CultureInfo.InvariantCulture),
                "Eastport Express Mail Centre, inspection bay 2 (东港快件监管中心 2 号查验台)",
                "Photographed on the inspection table beside seal EX-004417 before sampling; fixed evidence camera EC-07.",
                "EX2026-0117-blister-packs.png"),
            cancellationToken);
        var carton = await customs.UploadAsync(
            new MemoryStream(Carton()),
            new NewEvidence(
                null,
                null,
                "Officer Lin Qiao, Express Mail Centre inspection team 3 (查验三组 林乔)",
                collected.AddMinutes(-6).ToString("O", CultureInfo.InvariantCulture),
                "Eastport Express Mail Centre, inspection bay 2 (东港快件监管中心 2 号查验台)",
                "Outer carton and waybill photographed as opened; declared as 'vitamin supplements'.",
                "EX2026-0117-carton-and-waybill.png"),
            cancellationToken);

        var eaglebrook = OrganisationDemo.ByKey("eaglebrook").Id;
        var policeId = OrganisationDemo.ByKey("police").Id;
        await customs.ViewFileAsync(blisters.Id, cancellationToken);
        await customs.RecordCustodyAsync(
            [
                new NewCustodyEvent(blisters.Id, "disclosed", eaglebrook, "Shown to the rights holder to confirm the goods are not genuine (查询权利人确认).", null),
                new NewCustodyEvent(blisters.Id, "sampled", null, "3 blister strips sent to the Lanshan drug testing institute under seal EX-004418 (送检 3 板).", null),
                new NewCustodyEvent(carton.Id, "disclosed", policeId, "Shared with the IP crime unit with the case referral.", null),
                new NewCustodyEvent(blisters.Id, "transferred", policeId, "Handed over with the seized parcels, transfer form EX-2026-0117-T (移交公安).", null),
            ],
            cancellationToken);
        await police.ViewFileAsync(blisters.Id, cancellationToken);
    }

    private static async Task<Caller> OfficerAsync(DemoContext context, string organisationKey, CancellationToken cancellationToken)
    {
        var organisation = OrganisationDemo.ByKey(organisationKey);
        await using var connection = await context.Database.OpenConnectionAsync(cancellationToken);
        var user = await connection.QuerySingleAsync<(Guid Id, string DisplayName)>(new CommandDefinition(
            "SELECT id, display_name FROM users WHERE normalized_email = upper(@email)",
            new { email = AccountsDemo.EmailFor(organisationKey, "officer") },
            cancellationToken: cancellationToken));
        return new Caller
        {
            UserId = user.Id,
            DisplayName = user.DisplayName,
            OrganisationId = organisation.Id,
            OrganisationKind = organisation.Kind,
            OrganisationIsLocal = true,
            Role = Role.Officer,
        };
    }

    /// <summary>Two silver blister packs of white tablets on a grey inspection table.</summary>
    private static byte[] Blisters()
    {
        var picture = new Picture(240, 160, (120, 124, 130));
        foreach (var left in new[] { 20, 128 })
        {
            picture.Rectangle(left, 24, 92, 112, (200, 204, 210));
            for (var row = 0; row < 5; row++)
            {
                for (var column = 0; column < 2; column++)
                {
                    picture.Disc(left + 26 + (column * 40), 40 + (row * 20), 8, (245, 245, 240));
                }
            }
        }

        // The misprinted batch code: a red stripe on the second pack.
        picture.Rectangle(140, 128, 60, 5, (190, 40, 40));
        return picture.Png();
    }

    /// <summary>An opened brown carton with a white waybill.</summary>
    private static byte[] Carton()
    {
        var picture = new Picture(240, 160, (120, 124, 130));
        picture.Rectangle(30, 30, 180, 110, (166, 124, 82));
        picture.Rectangle(30, 20, 180, 14, (140, 102, 66));
        picture.Rectangle(120, 60, 70, 44, (250, 250, 250));
        for (var line = 0; line < 4; line++)
        {
            picture.Rectangle(126, 66 + (line * 9), 50 - (line * 8), 3, (40, 40, 40));
        }

        return picture.Png();
    }

    /// <summary>Just enough drawing to make small, valid PNG pictures: filled rectangles and discs on an RGB canvas.</summary>
    private sealed class Picture
    {
        private readonly int _width;
        private readonly int _height;
        private readonly byte[] _pixels;

        public Picture(int width, int height, (byte R, byte G, byte B) background)
        {
            _width = width;
            _height = height;
            _pixels = new byte[width * height * 3];
            Rectangle(0, 0, width, height, background);
        }

        public void Rectangle(int left, int top, int width, int height, (byte R, byte G, byte B) colour)
        {
            for (var y = Math.Max(0, top); y < Math.Min(_height, top + height); y++)
            {
                for (var x = Math.Max(0, left); x < Math.Min(_width, left + width); x++)
                {
                    Set(x, y, colour);
                }
            }
        }

        public void Disc(int centreX, int centreY, int radius, (byte R, byte G, byte B) colour)
        {
            for (var y = -radius; y <= radius; y++)
            {
                for (var x = -radius; x <= radius; x++)
                {
                    if ((x * x) + (y * y) <= radius * radius)
                    {
                        Set(centreX + x, centreY + y, colour);
                    }
                }
            }
        }

        public byte[] Png()
        {
            using var raw = new MemoryStream();
            for (var y = 0; y < _height; y++)
            {
                raw.WriteByte(0);
                raw.Write(_pixels, y * _width * 3, _width * 3);
            }

            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                raw.Position = 0;
                raw.CopyTo(zlib);
            }

            using var png = new MemoryStream();
            png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
            var header = new byte[13];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, _width);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), _height);
            header[8] = 8;
            header[9] = 2;
            Chunk(png, "IHDR"u8, header);
            Chunk(png, "IDAT"u8, compressed.ToArray());
            Chunk(png, "IEND"u8, []);
            return png.ToArray();
        }

        private void Set(int x, int y, (byte R, byte G, byte B) colour)
        {
            if (x < 0 || y < 0 || x >= _width || y >= _height)
            {
                return;
            }

            var at = ((y * _width) + x) * 3;
            (_pixels[at], _pixels[at + 1], _pixels[at + 2]) = colour;
        }

        private static void Chunk(Stream png, ReadOnlySpan<byte> type, byte[] data)
        {
            Span<byte> number = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
            png.Write(number);
            var typed = new byte[4 + data.Length];
            type.CopyTo(typed);
            data.CopyTo(typed, 4);
            png.Write(typed);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
            png.Write(number);
        }

        private static uint Crc32(byte[] data)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in data)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                }
            }

            return ~crc;
        }
    }
}
