using System.Text;

namespace Tracemark.Bench.Rights;

/// <summary>Invented brand-like names: English syllables and common Chinese brand characters, none a real brand by design (random combinations).</summary>
internal static class Names
{
    private static readonly string[] Syllables =
    [
        "nor", "wind", "ea", "gle", "brook", "ver", "dant", "lark", "spire", "quill", "fea", "ther", "sky", "ton", "mar", "vel", "cor", "ban",
        "tal", "lin", "ro", "sa", "ve", "qua", "zen", "tor", "hal", "mer", "ast", "ria", "dun", "fel", "gar", "hol", "jas", "kel", "lum", "mon",
        "nel", "ost", "pen", "rav", "sil", "tem", "ul", "vin", "wes", "yar", "zel", "bri", "cas", "dal", "el", "fin", "gor", "hen", "ir", "jun",
    ];

    private static readonly string[] Words = ["", "", "", "", " Labs", " Home", " Sport", " Outdoor", " Pharma", " Motors", " Tea", " Kids", " Pro", " Studio"];

    private static readonly string Han =
        "北风鹰溪绿原云雀峰金银龙华东乐门马鸟国宝丽达兴丰广电业发美佳康健安泰恒盛源新星月光明天海山林森雪梅兰竹菊春秋冬夏江河湖泉石玉晶锦绣彩虹辉煌" +
        "鑫鼎鸿运福禄寿喜嘉和顺利通讯科技智慧创意家居服饰鞋帽制药汽车电子食品茶酒";

    // Simplified characters whose traditional forms differ whose traditional forms differ, for "the other script" queries.
    private const string Simplified = "风鹰云龙华东乐门马鸟国宝丽达兴丰广电业发鸿运禄顺讯创饰药车绿银兰锦绣辉寿来";
    private const string TraditionalForms = "風鷹雲龍華東樂門馬鳥國寶麗達興豐廣電業發鴻運祿順訊創飾藥車綠銀蘭錦繡輝壽來";

    private static readonly Dictionary<char, char> ToTraditional = Simplified.Zip(TraditionalForms).ToDictionary(p => p.First, p => p.Second);

    public static string English(Random random)
    {
        var builder = new StringBuilder();
        var parts = 2 + random.Next(2);
        for (var i = 0; i < parts; i++)
        {
            builder.Append(Syllables[random.Next(Syllables.Length)]);
        }

        builder[0] = char.ToUpperInvariant(builder[0]);
        return builder + Words[random.Next(Words.Length)];
    }

    public static string Chinese(Random random)
    {
        var length = 2 + random.Next(3);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Han[random.Next(Han.Length)];
        }

        return new string(chars);
    }

    public static int Class(Random random) => random.Next(10) < 6 ? new[] { 3, 5, 9, 12, 18, 25, 30, 35 }[random.Next(8)] : 1 + random.Next(45);

    public static string? Traditional(string simplified)
    {
        var chars = simplified.Select(c => ToTraditional.GetValueOrDefault(c, c)).ToArray();
        var traditional = new string(chars);
        return traditional == simplified ? null : traditional;
    }

    /// <summary>One typing mistake in the first word: a letter dropped, doubled, swapped with its neighbour, or replaced.</summary>
    public static string Misspell(string name, Random random)
    {
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? name : name[..space];
        var rest = space < 0 ? "" : name[space..];
        var chars = word.ToList();
        var at = 1 + random.Next(Math.Max(1, chars.Count - 2));
        switch (random.Next(4))
        {
            case 0:
                chars.RemoveAt(at);
                break;
            case 1:
                chars.Insert(at, chars[at]);
                break;
            case 2 when at + 1 < chars.Count:
                (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
                break;
            default:
                chars[at] = (char)('a' + random.Next(26));
                break;
        }

        return new string([.. chars]) + rest;
    }
}
