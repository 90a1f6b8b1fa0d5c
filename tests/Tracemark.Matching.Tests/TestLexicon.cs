namespace Tracemark.Matching.Tests;

/// <summary>The marks, risk terms and ordinary words the screening tests run against.</summary>
internal static class TestLexicon
{
    /// <summary>Ordinary words the tests rely on; the system dictionaries are tested on their own.</summary>
    public static readonly string[] Words =
    [
        "nice", "shoes", "pie", "recipe", "pineapple", "juice", "sea", "gate", "bots", "in", "time", "the", "store",
        "running", "new", "for", "sale", "buy", "camera", "memory", "apple", "a", "i", "Paris",
    ];

    public static readonly Mark[] Marks =
    [
        new("nike", "Nike", "耐克"),
        new("adidas", "Adidas", "阿迪达斯"),
        new("apple", ["Apple"], ["apple pie"]),
        new("google", "Google"),
        new("ikea", "IKEA"),
        new("7eleven", "7-Eleven"),
        new("3m", "3M"),
        new("dintaifung", "鼎泰豐", "Din Tai Fung"),
        new("bestbuy", "Best Buy"),
        new("hm", "H&M"),
        new("microsoft", "Microsoft"),
        new("samsung", "Samsung"),
        new("walmart", "Walmart"),
        new("tmobile", "T-Mobile"),
        new("seagate", "Seagate"),
        new("boots", "Boots"),
        new("kangshifu", "康师傅"),
        new("sprite", "雪碧"),
        new("magnit", "Магнит"),
        new("lululemon", "Lululemon"),
        new("lili", "Lili"),
        new("ario", "Ario"),
        new("eand", "e&"),
    ];

    public static Lexicon Build() => Lexicon.Build(Marks, RiskTerms.Default, WordList.FromWords(Words));

    public static Lexicon Shared { get; } = Build();
}
