using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Tracemark.Server.Platform.Idempotency;

namespace Tracemark.Server.Tests.Platform;

/// <summary>Answers to keyed requests are kept deflated and encrypted; answers kept before that are still read.</summary>
public sealed class StoredAnswerCodecTests
{
    private static readonly EphemeralDataProtectionProvider Keys = new EphemeralDataProtectionProvider();

    public static TheoryData<string> Answers => new()
    {
        "",
        "{}",
        """{"id":"0195f3a4-0000-7000-8000-000000000001","title":"Northwind down jacket 1:1 replica 羽绒服 高仿","hits":[]}""",
        string.Concat(Enumerable.Repeat("""{"kind":"exact","mark":"Northwind","owner":{"nameZh":"北风服饰有限公司"},"reason":"Exact match of the mark \"Northwind\"."},""", 60)),
        "ｎｉｋｅ Νike 耐剋 — full width, Greek and Chinese",
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void An_answer_comes_back_as_it_was_given(string text)
    {
        var codec = new StoredAnswerCodec(Keys);
        var answer = Encoding.UTF8.GetBytes(text);

        var stored = codec.Seal(answer);

        Assert.Equal((byte)'D', stored[0]);
        Assert.Equal(answer, codec.Open(stored));
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Northwind")));
    }

    [Fact]
    public void A_notice_sized_answer_is_kept_in_a_fraction_of_its_size()
    {
        // The reason for deflating: an encrypted 4.8 kB view does not compress in PostgreSQL and went to the TOAST table.
        var answer = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(n =>
            $$$"""{"kind":"exact","mark":"Northwind","markId":"00000000-0000-7000-8000-0000000300{{{n:00}}}","owner":{"nameEn":"Northwind Apparel Co., Ltd.","nameZh":"北风服饰有限公司"}},""")));
        Assert.True(answer.Length > 4_000);

        var stored = new StoredAnswerCodec(Keys).Seal(answer);

        Assert.True(stored.Length < answer.Length / 3, $"{answer.Length} bytes kept in {stored.Length}");
    }

    [Fact]
    public void An_answer_kept_before_deflating_is_still_read()
    {
        var answer = Encoding.UTF8.GetBytes("""{"status":"submitted","title":"Nikee 高仿"}""");
        var before = Keys.CreateProtector("Tracemark.Idempotency.Response.v1").Protect(answer);

        Assert.Equal(0x09, before[0]);
        Assert.Equal(answer, new StoredAnswerCodec(Keys).Open(before));
    }

    [Fact]
    public void A_changed_stored_answer_is_refused_not_read()
    {
        var codec = new StoredAnswerCodec(Keys);
        var stored = codec.Seal(Encoding.UTF8.GetBytes("""{"status":"submitted"}"""));
        stored[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => codec.Open(stored));
    }
}
