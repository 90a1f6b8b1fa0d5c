using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tracemark.Bench.Rights;

// Tools for bench/rights/import-and-search.sh:
//   generate FILE COUNT [SEED]                    fictitious rights as import CSV (deterministic for a seed)
//   search BASE_URL API_KEY FILE [QUERIES] [facets]  fuzzy-name queries built from FILE against GET /api/v1/rights
return args switch
{
    ["generate", var file, var count, ..] => Generate(file, int.Parse(count, CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20261121),
    ["search", var url, var key, var file, ..] => await SearchAsync(url, key, file, args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1000, args.Length > 5 && args[5] == "facets"),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: generate FILE COUNT [SEED] | search BASE_URL API_KEY FILE [QUERIES] [facets]");
    return 2;
}

static int Generate(string file, int count, int seed)
{
    var random = new Random(seed);
    using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20);
    writer.Write("type,jurisdiction,number,name,name_zh,classes,filed,registered,expires,status\n");
    string[] jurisdictions = ["CN", "CN", "CN", "EM", "US", "DE", "JP", "KR", "GB", "FR", "WO"];
    for (var i = 0; i < count; i++)
    {
        var name = Names.English(random);
        var nameZh = random.Next(4) == 0 ? "" : Names.Chinese(random);
        var classes = random.Next(3) switch
        {
            0 => Names.Class(random).ToString(CultureInfo.InvariantCulture),
            1 => $"{Names.Class(random).ToString(CultureInfo.InvariantCulture)};{Names.Class(random).ToString(CultureInfo.InvariantCulture)}",
            _ => $"{Names.Class(random).ToString(CultureInfo.InvariantCulture)};{Names.Class(random).ToString(CultureInfo.InvariantCulture)};{Names.Class(random).ToString(CultureInfo.InvariantCulture)}",
        };
        var filed = new DateOnly(2000, 1, 1).AddDays(random.Next(9000));
        var registered = filed.AddDays(180 + random.Next(500));
        var expires = registered.AddYears(10);
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"trademark,{jurisdictions[random.Next(jurisdictions.Length)]},{(50_000_000 + i).ToString(CultureInfo.InvariantCulture)},{name},{nameZh},{classes},{filed:yyyy-MM-dd},{registered:yyyy-MM-dd},{expires:yyyy-MM-dd},registered\n"));
    }

    return 0;
}

static async Task<int> SearchAsync(string url, string key, string file, int queries, bool facets)
{
    // Targets spread through the whole file; each is asked for in four ways.
    var lines = File.ReadLines(file).Skip(1).Select((line, i) => (line, i)).ToList();
    var random = new Random(7);
    var targets = Enumerable.Range(0, queries).Select(_ => lines[random.Next(lines.Count)]).ToList();
    using var http = new HttpClient { BaseAddress = new Uri(url) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    var kinds = new Dictionary<string, List<double>>(StringComparer.Ordinal);
    var slowest = new List<(double Ms, string Kind, string Query)>();
    var found = new Dictionary<string, int>(StringComparer.Ordinal);

    // Warm the server's JIT, pools and the index pages before measuring.
    for (var i = 0; i < 50; i++)
    {
        await http.GetStringAsync("/api/v1/rights?limit=20&q=" + Uri.EscapeDataString(Names.English(random)));
    }

    // A server that has just started compiles its code in tiers for its first few hundred requests, on the same two
    // cores as the searches; the goal is about a running registry. Queries of every kind the measurement asks, none
    // of them a measured one (their own random numbers, so the measured queries are those of earlier runs).
    var warm = new Random(11);
    for (var i = 0; i < 500; i++)
    {
        var cells = lines[warm.Next(lines.Count)].line.Split(',');
        var query = (i % 3) switch { 0 => Names.Misspell(cells[3], warm), 1 => cells[2], _ => cells[4].Length > 0 ? cells[4] : cells[3] };
        await http.GetStringAsync("/api/v1/rights?limit=20" + (facets ? "&facets=true" : "") + "&q=" + Uri.EscapeDataString(query));
    }

    foreach (var (line, _) in targets)
    {
        var cells = line.Split(',');
        var (number, name, nameZh) = (cells[2], cells[3], cells[4]);
        var asks = new List<(string Kind, string Query)> { ("misspelt English", Names.Misspell(name, random)), ("number", number) };
        if (nameZh.Length > 0)
        {
            asks.Add(("Chinese", nameZh));
            if (Names.Traditional(nameZh) is { } traditional)
            {
                asks.Add(("traditional Chinese", traditional));
            }
        }

        foreach (var (kind, query) in asks)
        {
            var watch = Stopwatch.StartNew();
            var body = await http.GetStringAsync("/api/v1/rights?limit=20" + (facets ? "&facets=true" : "") + "&q=" + Uri.EscapeDataString(query));
            watch.Stop();
            (kinds.TryGetValue(kind, out var list) ? list : kinds[kind] = []).Add(watch.Elapsed.TotalMilliseconds);
            slowest.Add((watch.Elapsed.TotalMilliseconds, kind, query));
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("number").GetString() == number))
            {
                found[kind] = found.GetValueOrDefault(kind) + 1;
            }
        }
    }

    Console.WriteLine($"{"query",-22} {"n",6} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"found in top 20",16}");
    foreach (var (kind, times) in kinds.Append(new("all", kinds.Values.SelectMany(t => t).ToList())))
    {
        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        var hits = kind == "all" ? found.Values.Sum() : found.GetValueOrDefault(kind);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind,-22} {times.Count,6} {P(0.50),8:F1} {P(0.95),8:F1} {P(0.99),8:F1} {times[^1],8:F1} {100.0 * hits / times.Count,15:F1}%"));
    }

    // Every query's time, for looking into the tail: BENCH_TIMES=file.tsv (the run with facets writes file.tsv.facets).
    if (Environment.GetEnvironmentVariable("BENCH_TIMES") is { Length: > 0 } timesFile)
    {
        await File.WriteAllLinesAsync(facets ? timesFile + ".facets" : timesFile, slowest.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Ms:F1}\t{s.Kind}\t{s.Query}")));
    }

    Console.WriteLine("slowest: " + string.Join("; ", slowest.OrderByDescending(s => s.Ms).Take(12).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Query} ({s.Kind}) {s.Ms:F0} ms"))));
    return 0;
}
