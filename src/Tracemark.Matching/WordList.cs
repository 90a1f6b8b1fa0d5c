using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching;

/// <summary>
/// Ordinary words: a word of the language is not a lookalike of a mark ("nice" is not "Nike"), and a word
/// glued to a mark ("nikeshoes") explains the rest of the token. Words are kept in their folded form
/// (case, width and accents removed), so "Café" and "cafe" are one word. Immutable and shareable.
/// </summary>
public sealed class WordList
{
    // Folded word → whether it is a common word (written in lower case somewhere in the lists).
    private readonly Dictionary<string, bool> _words;

    // The same words for screening's look-ups, value 1 for a common word.
    private readonly FoldedWords _table;

    private WordList(Dictionary<string, bool> words)
    {
        _words = words;
        _table = new FoldedWords([.. words.Select(w => KeyValuePair.Create(w.Key, w.Value ? (byte)1 : (byte)0))]);
    }

    /// <summary>No ordinary words: every near miss of a mark is a lookalike.</summary>
    public static WordList Empty { get; } = new(new Dictionary<string, bool>(StringComparer.Ordinal));

    /// <summary>Debian's American and British English word lists (packages wamerican and wbritish).</summary>
    public static IReadOnlyList<string> SystemDictionaries { get; } = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"];

    public int Count => _words.Count;

    /// <remarks>Words written with a capital ("Nike", "Paris") are names: they count as words, but only
    /// words written in lower case are common words, the kind a mark glued to them is not hidden in.</remarks>
    public static WordList FromWords(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var set = new Dictionary<string, bool>(StringComparer.Ordinal);
        var stream = new TextStream();
        Span<char> buffer = stackalloc char[128];
        foreach (var word in words)
        {
            if (string.IsNullOrWhiteSpace(word) || word.Length > buffer.Length)
            {
                continue;
            }

            Scanner.Normalise(word, stream);
            var length = stream.CopyFold(0, stream.Length, buffer);
            if (length > 0)
            {
                var folded = new string(buffer[..length]);
                set[folded] = set.GetValueOrDefault(folded) || !char.IsUpper(word[0]);
            }
        }

        return new WordList(set);
    }

    /// <summary>Reads one word per line from each file (UTF-8).</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static WordList FromFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = paths.ToList();
        foreach (var path in files)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The word list {path} does not exist.", path);
            }
        }

        return FromWords(files.SelectMany(File.ReadLines));
    }

    /// <summary>True when the text, folded like the list, is one of its words.</summary>
    public bool Contains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        Span<char> buffer = stackalloc char[128];
        return stream.FoldLength(0, stream.Length) <= buffer.Length && ContainsFolded(buffer[..stream.CopyFold(0, stream.Length, buffer)]);
    }

    internal bool ContainsFolded(ReadOnlySpan<char> folded) => !folded.IsEmpty && _table.Contains(folded, FoldedWords.Hash(folded));

    internal bool ContainsCommonFolded(ReadOnlySpan<char> folded) => TryGetFolded(folded, FoldedWords.Hash(folded), out var common) && common;

    /// <summary>Looks a folded word, whose <see cref="FoldedWords.Hash"/> is <paramref name="hash"/>, up once: whether it is a word, and whether a common one.</summary>
    internal bool TryGetFolded(ReadOnlySpan<char> folded, ulong hash, out bool common)
    {
        var found = _table.TryGet(folded, hash, out var value);
        common = value != 0;
        return found;
    }
}
