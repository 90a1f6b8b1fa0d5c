namespace Tracemark.Matching.Normalisation;

/// <summary>
/// Table of facts: groups of Chinese characters that readers confuse, by shape (兔/免, 雪/雷, 口/日) or
/// by sound (耐/奈, 斯/丝/司, 尔/儿), as copycat brands use them ("大白免" for 大白兔, "雷碧" for 雪碧,
/// "康帅傅" for 康师傅, "耐剋" for 耐克). Written for this project; each group is one line.
/// A mark matches a text that swaps at most one of its characters for another of the same group.
/// </summary>
internal static class ChineseConfusables
{
    internal static readonly string[] Groups =
    [
        "克剋", "兔免", "雪雷", "奥粤", "师帅", "傅博", "娃哇", "仔子", "口日曰", "果杲",
        "己已巳", "未末", "土士", "人入八", "大太犬", "王玉主", "木本术", "天夭", "贝见", "乌鸟",
        "干千于", "戊戌戍", "母毋", "甲由申", "白百", "力刀", "牛午", "辨辩辫", "候侯", "茶荼",
        "汩汨", "崇祟", "拔拨", "冶治", "季李", "迪廸", "耐奈", "斯丝司", "心必", "尔儿",
        "邦帮", "维唯", "宝保堡", "马玛码", "牌脾", "记纪", "旺汪", "伊依", "利力", "亚压",
    ];
}
