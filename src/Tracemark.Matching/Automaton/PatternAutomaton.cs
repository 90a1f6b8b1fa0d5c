using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Automaton;

/// <summary>Receives the patterns the automaton finds, as they end.</summary>
internal interface IPatternSink
{
    /// <summary>Pattern <paramref name="pattern"/> ends just before key index <paramref name="end"/>.</summary>
    void OnMatch(int pattern, int end);
}

/// <summary>
/// Aho–Corasick automaton over normalised keys: one pass over the text reports every occurrence of every
/// pattern, and which pattern it is. Shallow states carry complete transition rows for letters and digits
/// (no failure walks where the text spends most of its time); deeper states keep a single child inline
/// and share one open-addressing table for the rest, so 100,000 marks stay compact and build in one pass.
/// </summary>
internal sealed class PatternAutomaton
{
    private const int DenseDepth = 6;
    private const int DenseWidth = 37; // symbol 0 is "no pattern has this character", 1..26 letters, 27..36 digits
    private const ushort ManyChildren = ushort.MaxValue;
    private const int Root = 0;

    private readonly ushort[] _symbolOf;
    private readonly int[] _fail;
    private readonly int[] _report;
    private readonly int[] _depth;

    // The same output chains restricted to patterns that may be found glued inside a word: what a position
    // inside a word can report at all.
    private readonly int[] _glueReport;
    private readonly int[] _glueLink;
    private readonly int[] _firstGlue;
    private readonly int[] _nextGlue;
    private readonly int[] _outputLink;
    private readonly int[] _firstOutput;
    private readonly int[] _nextOutput;
    private readonly int[] _onlyChild;
    private readonly ushort[] _onlySymbol;
    private readonly int[] _denseRow;
    private readonly int[] _rowNode;
    private bool _premultiplied;
    private readonly int[] _dense;
    private readonly EdgeTable _edges;

    // The same trie without failure links, for walks that start only where a pattern may start
    // (ScanFromStarts), packed so that a step reads one node of 16 bytes: nodes renumbered breadth first so
    // that a node's children are neighbours, those with a symbol below 64 (letters, digits) first and in
    // order of their symbol, so a bit per symbol tells whether there is such a child and the bits below it
    // which one; rarer symbols follow, searched among the siblings (the root's, most of an unsegmented
    // script's characters, are in a table by symbol). The complete rows above, which a walk from every
    // position needs, take megabytes and miss the processor's cache.
    private const int SmallSymbols = 64;
    private WalkNode[] _walk = [];

    // Per node of the walk: the first pattern ending there that may be found glued inside a word, or -1.
    private int[] _walkGlue = [];
    private ushort[] _walkSymbol = [];
    private int[] _walkRoot = [];

    private PatternAutomaton(ushort[] symbolOf, int nodes, int patterns, int edges, int denseRows)
    {
        _symbolOf = symbolOf;
        _fail = new int[nodes];
        _report = new int[nodes];
        _depth = new int[nodes];
        _glueReport = new int[nodes];
        _glueLink = new int[nodes];
        _firstGlue = new int[nodes];
        _nextGlue = new int[patterns];
        _outputLink = new int[nodes];
        _firstOutput = new int[nodes];
        _nextOutput = new int[patterns];
        _onlyChild = new int[nodes];
        _onlySymbol = new ushort[nodes];
        _denseRow = new int[nodes];
        _rowNode = new int[denseRows];
        _dense = new int[denseRows * DenseWidth];
        _edges = new EdgeTable(edges);
    }

    /// <summary>
    /// Builds the automaton for the patterns <c>keys[offsets[p] .. offsets[p + 1])</c>; empty patterns are ignored.
    /// <paramref name="glue"/> tells the patterns that may be found glued inside a word (<see cref="ScanAligned{TSink}"/>); null for none.
    /// </summary>
    public static PatternAutomaton Build(char[] keys, int[] offsets, int count, bool[]? glue = null)
    {
        var symbolOf = new ushort[char.MaxValue + 1];
        for (var c = 'a'; c <= 'z'; c++)
        {
            symbolOf[c] = (ushort)(c - 'a' + 1);
        }

        for (var c = '0'; c <= '9'; c++)
        {
            symbolOf[c] = (ushort)(c - '0' + 27);
        }

        var nextSymbol = DenseWidth;
        foreach (var c in keys.AsSpan(0, offsets[count]))
        {
            if (symbolOf[c] == 0)
            {
                if (nextSymbol == ManyChildren)
                {
                    throw new InvalidOperationException("The patterns use more distinct characters than the automaton can index.");
                }

                symbolOf[c] = (ushort)nextSymbol++;
            }
        }

        // Sorted patterns share their prefixes with their predecessor only, so the trie grows along one path.
        var order = new int[count];
        for (var p = 0; p < count; p++)
        {
            order[p] = p;
        }

        Array.Sort(order, (a, b) => keys.AsSpan(offsets[a], offsets[a + 1] - offsets[a]).SequenceCompareTo(keys.AsSpan(offsets[b], offsets[b + 1] - offsets[b])));

        var capacity = Math.Max(16, offsets[count] / 2);
        var parent = new List<int>(capacity) { -1 };
        var symbol = new List<int>(capacity) { 0 };
        var depth = new List<int>(capacity) { 0 };
        var endNode = new int[count];
        var path = new List<int> { Root };
        ReadOnlySpan<char> previous = default;
        foreach (var p in order)
        {
            var key = keys.AsSpan(offsets[p], offsets[p + 1] - offsets[p]);
            if (key.IsEmpty)
            {
                endNode[p] = -1;
                continue;
            }

            var common = key.CommonPrefixLength(previous);
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (var d = common; d < key.Length; d++)
            {
                var node = parent.Count;
                parent.Add(path[d]);
                symbol.Add(symbolOf[key[d]]);
                depth.Add(d + 1);
                path.Add(node);
            }

            endNode[p] = path[key.Length];
            previous = key;
        }

        var nodes = parent.Count;
        var childCount = new int[nodes];
        var denseRows = 1;
        for (var n = 1; n < nodes; n++)
        {
            childCount[parent[n]]++;
            if (depth[n] <= DenseDepth)
            {
                denseRows++;
            }
        }

        var manyEdges = 0;
        for (var n = 1; n < nodes; n++)
        {
            if (childCount[parent[n]] > 1)
            {
                manyEdges++;
            }
        }

        var automaton = new PatternAutomaton(symbolOf, nodes, count, manyEdges, denseRows);
        Array.Fill(automaton._firstOutput, -1);
        Array.Fill(automaton._firstGlue, -1);
        for (var p = count - 1; p >= 0; p--)
        {
            automaton._nextOutput[p] = -1;
            automaton._nextGlue[p] = -1;
            if (endNode[p] >= 0)
            {
                automaton._nextOutput[p] = automaton._firstOutput[endNode[p]];
                automaton._firstOutput[endNode[p]] = p;
                if (glue is not null && glue[p])
                {
                    automaton._nextGlue[p] = automaton._firstGlue[endNode[p]];
                    automaton._firstGlue[endNode[p]] = p;
                }
            }
        }

        for (var n = 0; n < nodes; n++)
        {
            automaton._depth[n] = depth[n];
        }

        // Children lists for the breadth-first pass; nodes were numbered depth-first.
        var firstChild = new int[nodes];
        var nextSibling = new int[nodes];
        Array.Fill(firstChild, -1);
        for (var n = nodes - 1; n >= 1; n--)
        {
            var up = parent[n];
            nextSibling[n] = firstChild[up];
            firstChild[up] = n;
            if (childCount[up] == 1)
            {
                automaton._onlySymbol[up] = (ushort)symbol[n];
                automaton._onlyChild[up] = n;
            }
            else
            {
                automaton._onlySymbol[up] = ManyChildren;
                automaton._edges.Add(up, symbol[n], n);
            }
        }

        automaton.Link(firstChild, nextSibling, depth, symbol);
        automaton.BuildWalk(firstChild, nextSibling, symbol, nextSymbol);
        automaton.Premultiply();
        return automaton;
    }

    /// <summary>Failure links, output links and the complete rows of shallow states, breadth first.</summary>
    private void Link(int[] firstChild, int[] nextSibling, List<int> depth, List<int> symbol)
    {
        Array.Fill(_denseRow, -1);
        var rows = 0;
        var queue = new int[_fail.Length];
        var head = 0;
        var tail = 0;
        queue[tail++] = Root;
        _fail[Root] = Root;
        _report[Root] = -1;
        _outputLink[Root] = -1;
        _glueReport[Root] = -1;
        _glueLink[Root] = -1;
        while (head < tail)
        {
            var node = queue[head++];
            if (depth[node] <= DenseDepth)
            {
                // The failure state is shallower, so its row is complete already.
                var row = rows++ * DenseWidth;
                var failRow = node == Root ? -1 : _denseRow[_fail[node]] * DenseWidth;
                for (var s = 1; s < DenseWidth; s++)
                {
                    var child = Child(node, s);
                    _dense[row + s] = child >= 0 ? child : node == Root ? Root : _dense[failRow + s];
                }

                _denseRow[node] = row / DenseWidth;
                _rowNode[row / DenseWidth] = node;
            }

            for (var child = firstChild[node]; child >= 0; child = nextSibling[child])
            {
                var fail = node == Root ? Root : Next(_fail[node], symbol[child]);
                _fail[child] = fail;
                _outputLink[child] = _firstOutput[fail] >= 0 ? fail : _outputLink[fail];
                _report[child] = _firstOutput[child] >= 0 ? child : _outputLink[child];
                _glueLink[child] = _firstGlue[fail] >= 0 ? fail : _glueLink[fail];
                _glueReport[child] = _firstGlue[child] >= 0 ? child : _glueLink[child];
                queue[tail++] = child;
            }
        }
    }

    /// <summary>The trie renumbered breadth first for <see cref="ScanFromStarts{TSink}"/>, children in order of their symbol; the root keeps number 0.</summary>
    private void BuildWalk(int[] firstChild, int[] nextSibling, List<int> symbol, int symbols)
    {
        var nodes = firstChild.Length;
        var queue = new int[nodes];
        var tail = 1;
        _walk = new WalkNode[nodes + 1];
        _walkGlue = new int[nodes];
        _walkSymbol = new ushort[nodes];
        _walkRoot = new int[symbols];
        var children = new List<int>();
        for (var head = 0; head < nodes; head++)
        {
            var node = queue[head];
            children.Clear();
            for (var child = firstChild[node]; child >= 0; child = nextSibling[child])
            {
                children.Add(child);
            }

            children.Sort((a, b) => symbol[a].CompareTo(symbol[b]));
            var small = 0UL;
            _walk[head] = new WalkNode { First = tail, Output = _firstOutput[node] };
            _walkGlue[head] = _firstGlue[node];
            foreach (var child in children)
            {
                if (symbol[child] < SmallSymbols)
                {
                    small |= 1UL << symbol[child];
                }

                if (head == 0)
                {
                    _walkRoot[symbol[child]] = tail;
                }

                _walkSymbol[tail] = (ushort)symbol[child];
                queue[tail++] = child;
            }

            _walk[head].Small = small;
        }

        _walk[nodes] = new WalkNode { First = tail, Output = -1 };
    }

    /// <summary>
    /// Rewrites the dense rows for the scan: a target is the offset of its own row when it has one, or the
    /// complement of its node id when it is deep, and column 0 (no symbol uses it) holds the row's report node,
    /// so a step between shallow states is one array read and finding its outputs one more in the same row.
    /// </summary>
    private void Premultiply()
    {
        for (var row = 0; row * DenseWidth < _dense.Length; row++)
        {
            var offset = row * DenseWidth;
            for (var s = 1; s < DenseWidth; s++)
            {
                _dense[offset + s] = Encode(_dense[offset + s]);
            }
        }

        for (var node = 0; node < _denseRow.Length; node++)
        {
            if (_denseRow[node] >= 0)
            {
                _dense[_denseRow[node] * DenseWidth] = _report[node];
            }
        }

        _premultiplied = true;
    }

    private int Encode(int node) => _denseRow[node] >= 0 ? _denseRow[node] * DenseWidth : ~node;

    private int Decode(int state) => state >= 0 ? _rowNode[state / DenseWidth] : ~state;

    private int Child(int node, int symbol)
    {
        var only = _onlySymbol[node];
        if (only == symbol)
        {
            return _onlyChild[node];
        }

        return only == ManyChildren ? _edges.Find(node, symbol) : -1;
    }

    private int Next(int node, int symbol)
    {
        while (true)
        {
            if (symbol < DenseWidth)
            {
                var row = _denseRow[node];
                if (row >= 0)
                {
                    var target = _dense[(row * DenseWidth) + symbol];
                    return _premultiplied ? Decode(target) : target;
                }
            }

            var child = Child(node, symbol);
            if (child >= 0)
            {
                return child;
            }

            if (node == Root)
            {
                return Root;
            }

            node = _fail[node];
        }
    }

    /// <summary>Reports every pattern occurrence in <paramref name="keys"/>, in order of their end.</summary>
    public void Scan<TSink>(ReadOnlySpan<char> keys, ref TSink sink)
        where TSink : struct, IPatternSink
    {
        var symbolOf = _symbolOf;
        var dense = _dense;
        var state = 0; // the root's row
        for (var j = 0; j < keys.Length; j++)
        {
            var symbol = symbolOf[keys[j]];
            if (symbol == 0)
            {
                state = 0;
                continue;
            }

            state = state >= 0 && symbol < DenseWidth ? dense[state + symbol] : Encode(Next(Decode(state), symbol));
            var report = state >= 0 ? dense[state] : _report[~state];
            for (var output = report; output > 0; output = _outputLink[output])
            {
                for (var p = _firstOutput[output]; p >= 0; p = _nextOutput[p])
                {
                    sink.OnMatch(p, j + 1);
                }
            }
        }
    }

    /// <summary>
    /// Reports the occurrences a screening can use, in order of their end: at the end of a word (or of a
    /// piece of a word cut by a soft boundary, or before a plural s, or next to a character of an unsegmented
    /// script) the patterns that start at such a place too, and with <paramref name="glue"/> the glue
    /// patterns wherever they start and end; inside a word nothing else. <paramref name="flags"/> are the
    /// units' flags, parallel to <paramref name="keys"/>.
    /// </summary>
    public void ScanAligned<TSink>(ReadOnlySpan<char> keys, ReadOnlySpan<UnitFlags> flags, bool glue, ref TSink sink)
        where TSink : struct, IPatternSink
    {
        const UnitFlags open = UnitFlags.Boundary | UnitFlags.Unsegmented;
        var symbolOf = _symbolOf;
        var dense = _dense;
        var length = keys.Length;
        var state = 0; // the root's row
        for (var j = 0; j < length; j++)
        {
            var symbol = symbolOf[keys[j]];
            if (symbol == 0)
            {
                state = 0;
                continue;
            }

            state = state >= 0 && symbol < DenseWidth ? dense[state + symbol] : Encode(Next(Decode(state), symbol));
            var report = state >= 0 ? dense[state] : _report[~state];
            if (report <= 0)
            {
                continue;
            }

            var end = j + 1;
            if (end == length || ((flags[end] | (flags[j] & UnitFlags.Unsegmented)) & open) != UnitFlags.None || IsPluralEnd(keys, flags, end))
            {
                for (var output = report; output > 0; output = _outputLink[output])
                {
                    var first = end - _depth[output];
                    var aligned = first == 0 || (flags[first] & UnitFlags.Boundary) != UnitFlags.None
                        || ((flags[first] | flags[first - 1]) & UnitFlags.Unsegmented) != UnitFlags.None;
                    for (var p = aligned ? _firstOutput[output] : glue ? _firstGlue[output] : -1; p >= 0; p = aligned ? _nextOutput[p] : _nextGlue[p])
                    {
                        sink.OnMatch(p, end);
                    }
                }
            }
            else if (glue)
            {
                var node = state >= 0 ? _rowNode[state / DenseWidth] : ~state;
                for (var output = _glueReport[node]; output > 0; output = _glueLink[output])
                {
                    for (var p = _firstGlue[output]; p >= 0; p = _nextGlue[p])
                    {
                        sink.OnMatch(p, end);
                    }
                }
            }
        }
    }

    /// <summary>
    /// What <see cref="ScanAligned{TSink}"/> reports without glue, found by walking the trie only from the places
    /// a pattern may start (a word's start, a soft boundary, a character of an unsegmented script) instead of
    /// following the automaton through every unit. The occurrences come in order of their start, not their end;
    /// those of one start in order of their end, and those of one span in the order of the patterns.
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScanFromStarts<TSink>(ReadOnlySpan<char> keys, ReadOnlySpan<UnitFlags> flags, ref TSink sink)
        where TSink : struct, IPatternSink
    {
        const UnitFlags open = UnitFlags.Boundary | UnitFlags.Unsegmented;
        var symbolOf = _symbolOf;
        var root = _walkRoot;
        var walk = _walk;
        var symbols = _walkSymbol;
        var length = keys.Length;
        for (var start = 0; start < length; start++)
        {
            if (start > 0 && (flags[start] & UnitFlags.Boundary) == UnitFlags.None && ((flags[start] | flags[start - 1]) & UnitFlags.Unsegmented) == UnitFlags.None)
            {
                continue;
            }

            var node = 0;
            for (var j = start; j < length; j++)
            {
                var symbol = symbolOf[keys[j]];
                ref readonly var at = ref walk[node];
                if (symbol < SmallSymbols)
                {
                    var bit = 1UL << symbol;
                    if ((at.Small & bit) == 0)
                    {
                        break;
                    }

                    node = at.First + BitOperations.PopCount(at.Small & (bit - 1));
                }
                else if (node == 0)
                {
                    // The root has a child for most characters of unsegmented scripts: looked up, not searched.
                    node = root[symbol];
                    if (node == 0)
                    {
                        break;
                    }
                }
                else
                {
                    var last = walk[node + 1].First;
                    node = 0;
                    for (var child = at.First + BitOperations.PopCount(at.Small); child < last; child++)
                    {
                        if (symbols[child] == symbol)
                        {
                            node = child;
                            break;
                        }
                    }

                    if (node == 0)
                    {
                        break;
                    }
                }

                var output = walk[node].Output;
                if (output >= 0)
                {
                    var end = j + 1;
                    if (end == length || ((flags[end] | (flags[j] & UnitFlags.Unsegmented)) & open) != UnitFlags.None || IsPluralEnd(keys, flags, end))
                    {
                        for (var p = output; p >= 0; p = _nextOutput[p])
                        {
                            sink.OnMatch(p, end);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// What <see cref="ScanAligned{TSink}"/> reports with glue and <see cref="ScanFromStarts{TSink}"/> does not, in
    /// units [<paramref name="from"/>, <paramref name="to"/>): the glue patterns that start inside a word or end
    /// inside one, found by walking the trie from every unit of the range. An occurrence that reaches past
    /// <paramref name="to"/> is not reported: the caller passes whole words, and a mark glued across a break
    /// between words is not a glued mark.
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScanGlued<TSink>(ReadOnlySpan<char> keys, ReadOnlySpan<UnitFlags> flags, int from, int to, ref TSink sink)
        where TSink : struct, IPatternSink
    {
        const UnitFlags open = UnitFlags.Boundary | UnitFlags.Unsegmented;
        var symbolOf = _symbolOf;
        var walk = _walk;
        var length = keys.Length;
        for (var start = from; start < to; start++)
        {
            var aligned = start == 0 || (flags[start] & UnitFlags.Boundary) != UnitFlags.None
                || ((flags[start] | flags[start - 1]) & UnitFlags.Unsegmented) != UnitFlags.None;
            var node = 0;
            for (var j = start; j < to; j++)
            {
                node = WalkStep(walk, node, symbolOf[keys[j]]);
                if (node == 0)
                {
                    break;
                }

                var glue = walk[node].Output >= 0 ? _walkGlue[node] : -1;
                if (glue < 0)
                {
                    continue;
                }

                var end = j + 1;
                if (aligned && (end == length || ((flags[end] | (flags[j] & UnitFlags.Unsegmented)) & open) != UnitFlags.None || IsPluralEnd(keys, flags, end)))
                {
                    // Found by the walk from word starts.
                    continue;
                }

                for (var p = glue; p >= 0; p = _nextGlue[p])
                {
                    sink.OnMatch(p, end);
                }
            }
        }
    }

    /// <summary>The child of walk node <paramref name="node"/> by <paramref name="symbol"/>, or 0 (the root) when there is none.</summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WalkStep(WalkNode[] walk, int node, int symbol)
    {
        ref readonly var at = ref walk[node];
        if (symbol < SmallSymbols)
        {
            var bit = 1UL << symbol;
            return (at.Small & bit) == 0 ? 0 : at.First + BitOperations.PopCount(at.Small & (bit - 1));
        }

        if (node == 0)
        {
            return _walkRoot[symbol];
        }

        var last = walk[node + 1].First;
        for (var child = at.First + BitOperations.PopCount(at.Small); child < last; child++)
        {
            if (_walkSymbol[child] == symbol)
            {
                return child;
            }
        }

        return 0;
    }

    /// <summary>A plural or possessive s ends the word right after <paramref name="end"/>: "nikes".</summary>
    private static bool IsPluralEnd(ReadOnlySpan<char> keys, ReadOnlySpan<UnitFlags> flags, int end) =>
        keys[end] == 's' && (end + 1 == keys.Length || (flags[end + 1] & UnitFlags.Boundary) != UnitFlags.None
            || ((flags[end + 1] | flags[end]) & UnitFlags.Unsegmented) != UnitFlags.None);

    /// <summary>A node of the trie as <see cref="ScanFromStarts{TSink}"/> reads it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct WalkNode
    {
        /// <summary>Bit s set: a child with symbol s (below <see cref="SmallSymbols"/>).</summary>
        public ulong Small;

        /// <summary>Number of the first child; the next node's tells where the children end.</summary>
        public int First;

        /// <summary>First pattern that ends here, or -1.</summary>
        public int Output;
    }

    /// <summary>(state, symbol) → child for states with more than one child.</summary>
    private sealed class EdgeTable
    {
        private readonly long[] _keys;
        private readonly int[] _children;
        private readonly int _mask;

        public EdgeTable(int edges)
        {
            var size = 16;
            while (size < edges * 2)
            {
                size <<= 1;
            }

            _keys = new long[size];
            _children = new int[size];
            _mask = size - 1;
            Array.Fill(_keys, -1L);
        }

        private int Slot(long key) => (int)((ulong)(key * -7046029254386353131L) >> 40) & _mask;

        public void Add(int node, int symbol, int child)
        {
            var key = ((long)node << 16) | (uint)symbol;
            var slot = Slot(key);
            while (_keys[slot] != -1L)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _children[slot] = child;
        }

        public int Find(int node, int symbol)
        {
            var key = ((long)node << 16) | (uint)symbol;
            var slot = Slot(key);
            while (true)
            {
                var found = _keys[slot];
                if (found == key)
                {
                    return _children[slot];
                }

                if (found == -1L)
                {
                    return -1;
                }

                slot = (slot + 1) & _mask;
            }
        }
    }
}
