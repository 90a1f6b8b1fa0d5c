namespace Tracemark.Matching;

/// <summary>
/// The lexicon a server screens with while marks change: readers take <see cref="Current"/> (one volatile
/// read, never blocked); writers apply changes as an overlay and swap the reference atomically, and fold the
/// overlay into a fresh base once it grows past <see cref="CompactionThreshold"/> marks.
/// </summary>
public sealed class LiveLexicon
{
    private readonly Lock _writer = new();
    private Lexicon _current;

    public LiveLexicon(Lexicon initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The lexicon to screen with now. Screening keeps working on the one it took even if it is replaced meanwhile.</summary>
    public Lexicon Current => Volatile.Read(ref _current);

    /// <summary>Overlay size beyond which changes trigger a full rebuild (done on the writer's thread; readers are not held up).</summary>
    public int CompactionThreshold { get; init; } = 2_000;

    /// <summary>Replaces the lexicon, e.g. after the risk terms or the word list changed.</summary>
    public void Replace(Lexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        lock (_writer)
        {
            Volatile.Write(ref _current, lexicon);
        }
    }

    /// <summary>Adds or replaces marks (by id) and removes others; returns the lexicon now current.</summary>
    public Lexicon Apply(IEnumerable<Mark> upserted, IEnumerable<string> removedIds)
    {
        lock (_writer)
        {
            var next = _current.WithChanges(upserted, removedIds);
            if (next.OverlayMarkCount > CompactionThreshold)
            {
                next = next.Compact();
            }

            Volatile.Write(ref _current, next);
            return next;
        }
    }

    public IReadOnlyList<ScreeningHit> Screen(ReadOnlySpan<char> text, ScreeningMode mode = ScreeningMode.Full) => Current.Screen(text, mode);
}
