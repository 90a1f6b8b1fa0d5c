namespace Tracemark.Core.Customs;

/// <summary>
/// Where the goods of each Nice class (1–34; 35–45 are services) are classified in the Harmonized
/// System, by chapter. It answers one question: could a line under this HS code be goods that a mark
/// registered for these classes covers? A code outside every chapter of the mark's classes is a
/// misdescription worth a look (branded tablets declared as food, jackets declared as plastics).
/// The table is deliberately generous: a chapter is listed where a class's usual goods fall.
/// </summary>
public static class NiceHsChapters
{
    private static readonly Dictionary<int, int[]> Chapters = new()
    {
        [1] = [28, 29, 31, 35, 38, 39],
        [2] = [32],
        [3] = [33, 34],
        [4] = [27, 34],
        [5] = [21, 29, 30, 38],
        [6] = [72, 73, 74, 75, 76, 78, 79, 80, 81, 83],
        [7] = [84, 85],
        [8] = [82],
        [9] = [84, 85, 90, 95],
        [10] = [30, 40, 90, 94],
        [11] = [69, 84, 85, 94],
        [12] = [40, 68, 84, 85, 86, 87, 88, 89],
        [13] = [36, 93],
        [14] = [71, 91],
        [15] = [92],
        [16] = [48, 49, 96],
        [17] = [39, 40, 68],
        [18] = [41, 42, 43, 66],
        [19] = [25, 44, 68, 69, 70],
        [20] = [44, 70, 94],
        [21] = [39, 69, 70, 73, 76, 96],
        [22] = [53, 56, 63],
        [23] = [50, 51, 52, 54, 55],
        [24] = [52, 54, 55, 58, 60, 63],
        [25] = [61, 62, 64, 65],
        [26] = [58, 67, 96],
        [27] = [57],
        [28] = [95],
        [29] = [2, 3, 4, 7, 8, 15, 16, 20],
        [30] = [9, 10, 11, 17, 18, 19, 21],
        [31] = [1, 6, 7, 8, 10, 12, 23],
        [32] = [22],
        [33] = [22],
        [34] = [24, 96],
    };

    /// <summary>The chapters where goods of <paramref name="niceClass"/> are classified; empty for services.</summary>
    public static IReadOnlyList<int> For(int niceClass) => Chapters.TryGetValue(niceClass, out var chapters) ? chapters : [];

    /// <summary>
    /// Whether a line in <paramref name="hsChapter"/> fits goods of any of <paramref name="classes"/>; null when
    /// the classes name no goods (services only, or none recorded), so nothing can be said.
    /// </summary>
    public static bool? Fits(IEnumerable<int> classes, int hsChapter)
    {
        var anyGoods = false;
        foreach (var niceClass in classes)
        {
            if (!Chapters.TryGetValue(niceClass, out var chapters))
            {
                continue;
            }

            anyGoods = true;
            if (Array.IndexOf(chapters, hsChapter) >= 0)
            {
                return true;
            }
        }

        return anyGoods ? false : null;
    }
}
