using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Tracemark.Ledger;

namespace Tracemark.Cli;

/// <summary>
/// `tracemark verify`: checks a receipt, or that one tree head extends another, offline from files or against a
/// node's ledger endpoints (docs/ledger.md). Prints every step it checked; exits 0 only when all of them hold.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var receipt = new Option<string?>("--receipt") { Description = "A receipt (JSON) to verify: its leaf, inclusion proof, root and signed tree head.", HelpName = "receipt.json" };
        var file = new Option<string?>("--file") { Description = "The evidence file the receipt is for: its SHA-256 must be the one the receipt's leaf records.", HelpName = "evidence" };
        var publicKey = new Option<string?>("--public-key") { Description = "The node's public key (PEM) that must have signed the tree heads. Without it, signatures are not checked (or, with --server, the key is fetched from the server).", HelpName = "key.pem" };
        var old = new Option<string?>("--old") { Description = "An older signed tree head (JSON), or a receipt whose tree head to use, that the newer one must extend.", HelpName = "tree-head.json" };
        var newer = new Option<string?>("--new") { Description = "The newer signed tree head (JSON), or a receipt whose tree head to use. Needs --old and --proof.", HelpName = "tree-head.json" };
        var proof = new Option<string?>("--proof") { Description = "The consistency proof (JSON) from the --old tree head to the --new one.", HelpName = "proof.json" };
        var server = new Option<string?>("--server") { Description = "A Tracemark node's address: check that its current tree head extends the --old one (or the --receipt's), fetching the tree head and proof from its ledger API.", HelpName = "url" };
        var command = new Command("verify", "Verify offline that evidence is in a node's log (a receipt), or that the log was only ever appended to (two tree heads and a consistency proof). Exits 0 only when every check holds.")
        {
            receipt, file, publicKey, old, newer, proof, server,
        };
        command.Validators.Add(result =>
        {
            bool Has(Option<string?> option) => result.GetValue(option) is not null;
            var error = (Has(receipt), Has(old), Has(newer), Has(proof), Has(server)) switch
            {
                (false, false, _, _, _) => "give --receipt, or --old with --new and --proof, or --old with --server",
                (true, true, _, _, _) => "--receipt and --old are two ways to give the older tree head: give one",
                (_, _, true, false, _) or (_, _, false, true, _) => "--new and --proof go together",
                (_, _, true, _, true) => "--server fetches the newer tree head itself: leave out --new and --proof",
                (false, true, false, _, false) => "--old needs --new and --proof, or --server",
                _ => Has(file) && !Has(receipt) ? "--file needs the --receipt it goes with" : null,
            };
            if (error is not null)
            {
                result.AddError(error);
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            try
            {
                var verifier = new Verifier(parsed.GetValue(publicKey), parsed.GetValue(server));
                if (parsed.GetValue(receipt) is { } receiptPath)
                {
                    return await verifier.ReceiptAsync(receiptPath, parsed.GetValue(file), cancellationToken);
                }

                return await verifier.ExtensionAsync(parsed.GetValue(old)!, parsed.GetValue(newer), parsed.GetValue(proof), cancellationToken);
            }
            catch (InputException ex)
            {
                await Console.Error.WriteLineAsync("tracemark: " + ex.Message);
                return CommandLine.Failure;
            }
        });
        return command;
    }

    /// <summary>Something given to verify could not be read or fetched: not a failed check, but no check at all.</summary>
    private sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);

    private sealed class Verifier(string? publicKeyPath, string? server)
    {
        public async Task<int> ReceiptAsync(string receiptPath, string? filePath, CancellationToken cancellationToken)
        {
            var receipt = Read(receiptPath, Receipt.FromJson);
            byte[]? fileHash = null;
            if (filePath is not null)
            {
                await using var stream = Readable(filePath, File.OpenRead);
                fileHash = await SHA256.HashDataAsync(stream, cancellationToken);
            }

            using var key = await KeyAsync(cancellationToken);
            Console.WriteLine($"Receipt {receiptPath}: leaf {Number(receipt.LeafIndex)} of a log of {Number(receipt.TreeSize)} leaves");
            if (!Print(receipt.Verify(key, fileHash)))
            {
                return CommandLine.Failure;
            }

            if (server is not null)
            {
                return await AgainstServerAsync(receipt.TreeHead, key, cancellationToken);
            }

            Console.WriteLine("Verified: every check above holds.");
            return 0;
        }

        public async Task<int> ExtensionAsync(string oldPath, string? newPath, string? proofPath, CancellationToken cancellationToken)
        {
            var older = Read(oldPath, ReadTreeHead);
            using var key = await KeyAsync(cancellationToken);
            if (server is not null)
            {
                return await AgainstServerAsync(older, key, cancellationToken);
            }

            var newer = Read(newPath!, ReadTreeHead);
            var proof = Read(proofPath!, ConsistencyProof.FromJson);
            Console.WriteLine($"Tree heads {oldPath} ({Number(older.TreeSize)} leaves) and {newPath} ({Number(newer.TreeSize)} leaves), consistency proof {proofPath}");
            return Finish(proof.Verify(older, newer, key), older, newer);
        }

        private static int Finish(VerificationReport report, SignedTreeHead older, SignedTreeHead newer)
        {
            if (!Print(report))
            {
                return CommandLine.Failure;
            }

            Console.WriteLine($"Verified: the log of {Number(newer.TreeSize)} leaves is the log of {Number(older.TreeSize)} leaves with leaves appended and nothing changed.");
            return 0;
        }

        private async Task<int> AgainstServerAsync(SignedTreeHead older, LedgerKey? key, CancellationToken cancellationToken)
        {
            using var http = Client();
            var newer = await FetchAsync(http, "api/v1/ledger/tree-head", SignedTreeHead.FromJson, cancellationToken);
            Console.WriteLine($"The node's current tree head: {Number(newer.TreeSize)} leaves, signed at {Time(newer.Timestamp)}");
            var proof = older.TreeSize == 0 || older.TreeSize >= newer.TreeSize
                ? new ConsistencyProof(older.TreeSize, newer.TreeSize, [])
                : await FetchAsync(http, Invariant($"api/v1/ledger/consistency?fromSize={older.TreeSize}&toSize={newer.TreeSize}"), ConsistencyProof.FromJson, cancellationToken);
            return Finish(proof.Verify(older, newer, key), older, newer);
        }

        private async Task<LedgerKey?> KeyAsync(CancellationToken cancellationToken)
        {
            if (publicKeyPath is not null)
            {
                var key = Read(publicKeyPath, LedgerKey.FromPem);
                Console.WriteLine($"Public key {publicKeyPath}: {key.Fingerprint}");
                return key;
            }

            if (server is null)
            {
                return null;
            }

            using var http = Client();
            var fetched = await FetchAsync(http, "api/v1/ledger/public-key", LedgerKey.FromPem, cancellationToken);
            Console.WriteLine($"Public key fetched from the node being checked: {fetched.Fingerprint} (compare it with the key the node publishes elsewhere)");
            return fetched;
        }

        private HttpClient Client()
        {
            if (!Uri.TryCreate(server!.TrimEnd('/') + "/", UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                throw new InputException($"--server {server} is not an http:// or https:// address");
            }

            return new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        }

        private static async Task<T> FetchAsync<T>(HttpClient http, string path, Func<string, T> parse, CancellationToken cancellationToken) =>
            Parse(await GetAsync(http, path, cancellationToken), new Uri(http.BaseAddress!, path).ToString(), parse);

        private static async Task<string> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
        {
            var url = new Uri(http.BaseAddress!, path);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                using var response = await http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InputException(Invariant($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}{ProblemDetail(body)}"));
                }

                return body;
            }
            catch (HttpRequestException ex)
            {
                throw new InputException($"cannot reach {url}: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InputException($"GET {url} did not answer within 30 s", ex);
            }
        }

        /// <summary>": detail" of an RFC 9457 problem answer, or nothing.</summary>
        private static string ProblemDetail(string body)
        {
            try
            {
                using var problem = JsonDocument.Parse(body);
                return problem.RootElement.ValueKind == JsonValueKind.Object
                    && (problem.RootElement.TryGetProperty("detail", out var text) || problem.RootElement.TryGetProperty("title", out text))
                    && text.ValueKind == JsonValueKind.String
                    ? ": " + text.GetString()
                    : string.Empty;
            }
            catch (JsonException)
            {
                return string.Empty;
            }
        }

        /// <summary>A signed tree head, or the one inside a receipt.</summary>
        private static SignedTreeHead ReadTreeHead(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("sth", out _)
                ? Receipt.FromJson(json).TreeHead
                : SignedTreeHead.FromJson(json);
        }

        private static T Read<T>(string path, Func<string, T> parse) => Parse(Readable(path, File.ReadAllText), path, parse);

        /// <summary>Opens or reads a file; a missing file is left to the command line's one-line "file not found".</summary>
        private static T Readable<T>(string path, Func<string, T> read)
        {
            try
            {
                return read(path);
            }
            catch (IOException ex) when (ex is not FileNotFoundException)
            {
                throw new InputException($"cannot read {path}: {ex.Message}", ex);
            }
        }

        private static T Parse<T>(string text, string source, Func<string, T> parse)
        {
            try
            {
                return parse(text);
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                throw new InputException($"{source}: {ex.Message}", ex);
            }
        }

        private static bool Print(VerificationReport report)
        {
            foreach (var step in report.Steps)
            {
                var mark = step.Outcome switch
                {
                    StepOutcome.Holds => "ok  ",
                    StepOutcome.NotChecked => "skip",
                    _ => "FAIL",
                };
                Console.WriteLine($"  {mark}  {step.Subject,-12} {step.Description}");
            }

            if (report.Failure is { } failure)
            {
                Console.Error.WriteLine($"tracemark: verification failed: {failure.Subject}: {failure.Description}");
                return false;
            }

            return true;
        }

        private static string Number(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

        private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
    }
}
