namespace SleepingLlm.Kernels;

/// <summary>
/// One sequence's part of a packed pass: its tokens after a cached prefix (residual null when the pass
/// starts at layer 0), and where δ goes and outputs are read (local indices).
/// </summary>
public sealed record SequenceTail(int[] Tokens, float[]? Residual, AttentionPrefix Prefix, int[] DeltaPositions, int[] OutputPositions)
{
    /// <summary>
    /// The sequence's first tokens are an earlier tail's (by index in the pack) first <c>Length</c> tokens, and
    /// <see cref="Tokens"/> continue after them: computed once in that tail, with gradients, and attended to
    /// from here — unlike <see cref="Prefix"/>, which is constant. Chat sequences share the template's
    /// system prompt this way.
    /// </summary>
    public (int Tail, int Length)? Stem { get; init; }

    /// <summary>
    /// This tail starts a new attention block: its tokens and the tails after it, up to the next block, attend
    /// only within the block (<see cref="AttentionBlock"/>), so a pass's attention costs Σ block² and not
    /// (all tokens)². A stem must lie in its tail's block; blocks and cached prefixes do not mix.
    /// </summary>
    public bool StartsBlock { get; init; }

    /// <summary>A whole sequence from the first layer: no prefix, no residual.</summary>
    public static SequenceTail Whole(int[] tokens, int[] outputPositions) =>
        new(tokens, null, new AttentionPrefix(0, new Dictionary<int, (float[], float[])>()), [], outputPositions);
}

/// <summary>Several tails as one sequence: where δ goes and the outputs, in the packed sequence's indices (outputs in tail order).</summary>
public sealed record PackedTails(Forward Forward, int[] DeltaPositions);

/// <summary>
/// Many short sequences as one: a graph over a handful of tokens is dominated by per-node overhead
/// (≈ 20 µs a node on two cores, so ~45 ms for any 21-layer pass), so v* packs its sequences into one
/// pass. Prefixes are concatenated, each token keeps its own RoPE position, and the mask lets a token
/// see only its own sequence's prefix and earlier tokens (and its stem's, <see cref="SequenceTail.Stem"/>),
/// so every sequence computes as it would alone.
/// </summary>
public static class Packing
{
    /// <summary>The packed forward from <paramref name="firstLayer"/>; the caller adds Delta and LowRank.</summary>
    public static PackedTails Pack(IReadOnlyList<SequenceTail> tails, int firstLayer, Hyperparameters hp)
    {
        int prefixTotal = tails.Sum(t => t.Prefix.Length), tokenTotal = tails.Sum(t => t.Tokens.Length);
        int width = hp.HeadDim * hp.KvHeadCount;
        bool blocked = tails.Skip(1).Any(t => t.StartsBlock);
        if (blocked && prefixTotal > 0) throw new ArgumentException("attention blocks and cached prefixes do not mix");
        var blocks = new List<(int FirstTail, int Start, int Length, float[] Mask)>();
        var positions = new int[tokenTotal];
        var delta = new List<int>();
        var outputs = new List<int>();
        var starts = new List<int>();
        int prefixAt = 0, tokenAt = 0;
        for (int i = 0; i < tails.Count; i++)
        {
            var tail = tails[i];
            if (i == 0 || (blocked && tail.StartsBlock))
            {
                int length = tails.Skip(i).TakeWhile((t, j) => j == 0 || !blocked || !t.StartsBlock).Sum(t => t.Tokens.Length);
                var blockMask = new float[(prefixTotal + length) * length];
                Array.Fill(blockMask, float.NegativeInfinity);
                blocks.Add((i, tokenAt, length, blockMask));
            }
            var (firstTail, blockStart, blockLength, mask) = blocks[^1];
            int keys = prefixTotal + blockLength, at = tokenAt - blockStart;
            starts.Add(tokenAt);
            var (stemTail, stem) = tail.Stem ?? (0, 0);
            if (tail.Stem is not null && (stemTail >= i || stemTail < firstTail || tails[stemTail].Stem is not null
                                          || tail.Prefix.Length + tails[stemTail].Prefix.Length > 0 || tails[stemTail].Tokens.Length < stem))
                throw new ArgumentException("a stem must be the start of an earlier tail in the same block that has no stem and neither a prefix");
            for (int q = 0; q < tail.Tokens.Length; q++)
            {
                int row = (at + q) * keys;
                Array.Fill(mask, 0f, row + prefixAt, tail.Prefix.Length);
                if (stem > 0) Array.Fill(mask, 0f, row + prefixTotal + starts[stemTail] - blockStart, stem);
                Array.Fill(mask, 0f, row + prefixTotal + at, q + 1);
                positions[tokenAt + q] = tail.Prefix.Length + stem + q;
            }
            delta.AddRange(tail.DeltaPositions.Select(p => tokenAt + p));
            outputs.AddRange(tail.OutputPositions.Select(p => tokenAt + p));
            prefixAt += tail.Prefix.Length;
            tokenAt += tail.Tokens.Length;
        }
        if (tails.Any(t => t.Residual is null) && tails.Any(t => t.Residual is not null)) throw new ArgumentException("some tails have a residual, some not");
        var layers = tails[0].Prefix.Layers.Keys.ToList();
        var prefix = new AttentionPrefix(prefixTotal, layers.ToDictionary(l => l, l => (
            tails.SelectMany(t => t.Prefix.Layers[l].Keys).ToArray(),
            tails.SelectMany(t => t.Prefix.Layers[l].Values).ToArray())));
        if (prefix.Layers.Values.Any(kv => kv.Keys.Length != width * prefixTotal)) throw new ArgumentException("prefixes of different widths");
        var forward = new Forward
        {
            Tokens = [.. tails.SelectMany(t => t.Tokens)], FirstLayer = firstLayer, Residual = tails[0].Residual is null ? null : [.. tails.SelectMany(t => t.Residual!)],
            Prefix = prefix, Positions = positions, OutputPositions = [.. outputs],
            Mask = blocked ? null : blocks[0].Mask,
            Blocks = blocked ? [.. blocks.Select(b => new AttentionBlock(b.Start, b.Length, b.Mask))] : null,
        };
        return new PackedTails(forward, [.. delta]);
    }
}
