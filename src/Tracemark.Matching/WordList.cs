using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching;

/// <summary>
/// Ordinary words: a word of the language is not a lookalike of a mark ("nice" is not "Nike"), and a word
/// glued to a mark ("nikeshoes") explains the rest of the token. Words are kept in their folded form
/// (case, width and accents removed), so "Café" and "cafe" are one word. Immutable and shareable.
/// </summary>
public sealed class WordList
{
    // Folded word → what it is: a name, a common word, or a word of the catalogue's vocabulary.
    private readonly Dictionary<string, byte> _words;

    // The same words for screening's look-ups.
    private readonly FoldedWords _table;

    // Values of _words and _table: a common word is written in lower case somewhere in the lists; a word of a
    // vocabulary is neither, since a catalogue's words are names and fragments as often as common words.
    private const byte Name = 0;
    private const byte Common = 1;
    private const byte Catalogue = 2;

    // Folded words of other languages, as sorted hashes: looked up only for a hit already found, and a
    // million words of inflected languages kept as strings would cost the server tens of megabytes.
    private readonly ulong[] _otherLanguages;

    private WordList(Dictionary<string, byte> words, ulong[] otherLanguages)
    {
        _words = words;
        _table = new FoldedWords(words);
        _otherLanguages = otherLanguages;
    }

    /// <summary>No ordinary words: every near miss of a mark is a lookalike.</summary>
    public static WordList Empty { get; } = new(new Dictionary<string, byte>(StringComparer.Ordinal), []);

    /// <summary>Debian's American and British English word lists (packages wamerican and wbritish).</summary>
    public static IReadOnlyList<string> SystemDictionaries { get; } = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"];

    /// <summary>
    /// Debian's word lists of other languages (packages wspanish, wfrench, witalian, wngerman, wportuguese, wdutch).
    /// Their words do not stop a lookalike as English ones do, since many disguises of a mark spell a word of
    /// some language; they only refuse an arbitrary edit that spells one ("Tiempo" is Spanish, not a typo of Tempo).
    /// </summary>
    public static IReadOnlyList<string> OtherLanguageDictionaries { get; } =
    [
        "/usr/share/dict/spanish", "/usr/share/dict/french", "/usr/share/dict/italian",
        "/usr/share/dict/ngerman", "/usr/share/dict/portuguese", "/usr/share/dict/dutch",
    ];

    public int Count => _words.Count;

    /// <summary>Distinct words of the other languages' lists (<see cref="FromWords(IEnumerable{string}, IEnumerable{string}, IEnumerable{string})"/>).</summary>
    public int OtherLanguageCount => _otherLanguages.Length;

    /// <remarks>Words written with a capital ("Nike", "Paris") are names: they count as words, but only
    /// words written in lower case are common words, the kind a mark glued to them is not hidden in.</remarks>
    public static WordList FromWords(IEnumerable<string> words) => FromWords(words, [], []);

    /// <param name="words">Ordinary words: never lookalikes.</param>
    /// <param name="otherLanguageWords">Words of other languages: they refuse a lookalike made by arbitrary edits
    /// only (a letter added, left out, doubled, swapped or changed), never one made by visual tricks.</param>
    /// <param name="vocabulary">Words of the catalogue being screened (seen in many of its listings: product lines,
    /// other brands, abbreviations): never lookalikes on their own, and a mark that is one is not sought glued into
    /// other words; but unlike common words a run of them is still searched for a mistyped name of several words
    /// ("Th Tile Shop" for The Tile Shop, where a catalogue writes "th" and "tile" and "shop").</param>
    public static WordList FromWords(IEnumerable<string> words, IEnumerable<string> otherLanguageWords, IEnumerable<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(otherLanguageWords);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var set = new Dictionary<string, byte>(StringComparer.Ordinal);
        var stream = new TextStream();
        Span<char> buffer = stackalloc char[128];
        foreach (var word in words)
        {
            if (Fold(word, stream, buffer) is var length and > 0)
            {
                var folded = new string(buffer[..length]);
                set[folded] = set.GetValueOrDefault(folded) == Common || !char.IsUpper(word[0]) ? Common : Name;
            }
        }

        foreach (var word in vocabulary)
        {
            if (Fold(word, stream, buffer) is var length and > 0)
            {
                var folded = new string(buffer[..length]);
                if (!set.TryGetValue(folded, out var known) || known == Name)
                {
                    set[folded] = Catalogue;
                }
            }
        }

        var hashes = new List<ulong>();
        foreach (var word in otherLanguageWords)
        {
            if (Fold(word, stream, buffer) is var length and > 0)
            {
                hashes.Add(FoldedWords.Hash(buffer[..length]));
            }
        }

        hashes.Sort();
        var distinct = 0;
        for (var i = 0; i < hashes.Count; i++)
        {
            if (i == 0 || hashes[i] != hashes[i - 1])
            {
                hashes[distinct++] = hashes[i];
            }
        }

        return new WordList(set, [.. hashes.Take(distinct)]);
    }

    private static int Fold(string word, TextStream stream, Span<char> buffer)
    {
        if (string.IsNullOrWhiteSpace(word) || word.Length > buffer.Length)
        {
            return 0;
        }

        Scanner.Normalise(word, stream);
        return stream.CopyFold(0, stream.Length, buffer);
    }

    /// <summary>Reads one word per line from each file (UTF-8).</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static WordList FromFiles(IEnumerable<string> paths) => FromFiles(paths, [], []);

    /// <summary>
    /// Reads one word per line from each file (UTF-8): ordinary words, words of other languages, and a catalogue's
    /// vocabulary (see <see cref="FromWords(IEnumerable{string}, IEnumerable{string}, IEnumerable{string})"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static WordList FromFiles(IEnumerable<string> paths, IEnumerable<string> otherLanguagePaths, IEnumerable<string> vocabularyPaths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(otherLanguagePaths);
        ArgumentNullException.ThrowIfNull(vocabularyPaths);
        var files = paths.ToList();
        var otherFiles = otherLanguagePaths.ToList();
        var vocabularyFiles = vocabularyPaths.ToList();
        foreach (var path in files.Concat(otherFiles).Concat(vocabularyFiles))
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The word list {path} does not exist.", path);
            }
        }

        return FromWords(files.SelectMany(File.ReadLines), otherFiles.SelectMany(File.ReadLines), vocabularyFiles.SelectMany(File.ReadLines));
    }

    /// <summary>
    /// Debian's English lists and those of the other languages that are installed, and a vocabulary if given: what the
    /// CLI and the server use. Without the other languages' packages screening still runs, flagging more of their words.
    /// </summary>
    public static WordList FromSystemDictionaries(IEnumerable<string>? morePaths = null, IEnumerable<string>? vocabularyPaths = null) =>
        FromFiles(SystemDictionaries.Where(File.Exists).Concat(morePaths ?? []), OtherLanguageDictionaries.Where(File.Exists), vocabularyPaths ?? []);

    /// <summary>True when the text, folded like the list, is one of its words.</summary>
    public bool Contains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        Span<char> buffer = stackalloc char[128];
        return stream.FoldLength(0, stream.Length) <= buffer.Length && ContainsFolded(buffer[..stream.CopyFold(0, stream.Length, buffer)]);
    }

    /// <summary>True when the text, folded, is a word of the other languages' lists.</summary>
    public bool IsOtherLanguageWord(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new TextStream();
        Span<char> buffer = stackalloc char[128];
        return Fold(text, stream, buffer) is var length and > 0 && IsOtherLanguageFolded(buffer[..length]);
    }

    /// <summary>
    /// Words of other languages shorter than this say nothing: six languages' inflected forms hold most short runs
    /// of letters, so a disguise of a mark often spells one ("igle" for Aigle, "Coes" for Coles).
    /// </summary>
    internal const int MinOtherLanguageLetters = 5;

    internal bool IsOtherLanguageFolded(ReadOnlySpan<char> folded) =>
        _otherLanguages.Length > 0 && folded.Length >= MinOtherLanguageLetters && Array.BinarySearch(_otherLanguages, FoldedWords.Hash(folded)) >= 0;

    internal bool ContainsFolded(ReadOnlySpan<char> folded) => !folded.IsEmpty && _table.Contains(folded, FoldedWords.Hash(folded));

    internal bool ContainsCommonFolded(ReadOnlySpan<char> folded) => TryGetFolded(folded, FoldedWords.Hash(folded), out var common) && common;

    /// <summary>A common word or a word of the catalogue: a mark that is one is a word, not a name glued into others.</summary>
    internal bool ContainsCommonOrCatalogueFolded(ReadOnlySpan<char> folded) =>
        _table.TryGet(folded, FoldedWords.Hash(folded), out var value) && value != Name;

    /// <summary>Looks a folded word, whose <see cref="FoldedWords.Hash"/> is <paramref name="hash"/>, up once: whether it is a word, and whether a common one.</summary>
    internal bool TryGetFolded(ReadOnlySpan<char> folded, ulong hash, out bool common)
    {
        var found = _table.TryGet(folded, hash, out var value);
        common = value == Common;
        return found;
    }
}
