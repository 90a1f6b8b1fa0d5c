namespace Tracemark.Core.Time;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when told to. Deadlines and timers in the product
/// take a <see cref="TimeProvider"/>, so tests (and demo replays) can jump across weeks in one call.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
        {
            _now += by;
        }
    }

    public void Set(DateTimeOffset instant)
    {
        lock (_gate)
        {
            if (instant.ToUniversalTime() < _now)
            {
                throw new ArgumentOutOfRangeException(nameof(instant), "A clock does not run backwards.");
            }

            _now = instant.ToUniversalTime();
        }
    }
}
