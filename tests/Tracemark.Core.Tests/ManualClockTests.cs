using Tracemark.Core.Time;

namespace Tracemark.Core.Tests;

public sealed class ManualClockTests
{
    [Fact]
    public void Moves_only_when_told_and_reports_utc()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);

        clock.Advance(TimeSpan.FromDays(15));
        Assert.Equal(new DateTimeOffset(2026, 1, 16, 0, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
    }

    [Fact]
    public void Never_runs_backwards()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Set(DateTimeOffset.UnixEpoch.AddTicks(-1)));
        Assert.Equal(DateTimeOffset.UnixEpoch, clock.GetUtcNow());
    }
}
