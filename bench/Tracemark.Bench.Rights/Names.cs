using System.Text;

namespace Tracemark.Bench.Rights;

/// <summary>Invented brand-like names: English syllables and common Chinese brand characters, none a real brand by design (random combinations).</summary>
internal static class Names
{
    // Syllables as onset + vowel + coda (about 3,000 of them), so that a million names are as varied as a
    // real register rather than a few hundred syllables recombined.
    private static readonly string[] Onsets = ["", "b", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fl", "fr", "g", "gl", "gr", "h", "j", "k", "l", "m", "n", "p", "pl", "pr", "qu", "r", "s", "sh", "sk", "sl", "st", "t", "tr", "v", "w", "z"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y", "io"];
    private static readonly string[] Codas = ["", "", "n", "r", "l", "s", "x", "nd", "rk", "st", "m", "t", "ck", "ng"];

    private static readonly string[] Words =
    [
        " Labs", " Home", " Sport", " Outdoor", " Pharma", " Motors", " Tea", " Kids", " Pro", " Studio", " Foods", " Beauty", " Tools", " Audio",
        " Wear", " Garden", " Optics", " Bikes", " Toys", " Living",
    ];

    private static readonly string Han =
        "北风鹰溪绿原云雀峰金银龙华东乐门马鸟国宝丽达兴丰广电业发美佳康健安泰恒盛源新星月光明天海山林森雪梅兰竹菊春秋冬夏江河湖泉石玉晶锦绣彩虹辉煌鑫鼎鸿运福禄寿喜嘉和顺利通讯科技智慧创意家居服饰鞋帽制药汽车电子食品茶酒阳晨曦霞雨露霜雾岚峦岩溪涧潭澜波涛舟帆港湾岛洲城乡村镇街桥塔楼阁亭园苑庭院坊堂轩斋居青红橙黄紫蓝白黑灰银铜铁钢锋锐捷速达远航翔飞腾跃奔驰骏豹狮虎熊鹿鹤雁燕鸥鹭凤麟诚信德仁义礼智勇毅恒久远长永昌隆兴旺富贵吉祥如意安康宁静雅致精品优选尚品汇聚合众百千万亿方圆正中上下左右前后内外高低大小多少早晚古今先后心意情思想念望";

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
            builder.Append(Onsets[random.Next(Onsets.Length)]).Append(Vowels[random.Next(Vowels.Length)]).Append(Codas[random.Next(Codas.Length)]);
        }

        builder[0] = char.ToUpperInvariant(builder[0]);
        return random.Next(4) == 0 ? builder + Words[random.Next(Words.Length)] : builder.ToString();
    }

    public static string Chinese(Random random)
    {
        var length = random.Next(5) == 0 ? 2 : 3 + random.Next(2);
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
