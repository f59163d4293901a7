using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>
/// A key of a fact at one layer and the critical-layer residual at the same token, where the value
/// the edit must write there is measured.
/// </summary>
public sealed record KeyAndHidden(float[] Key, float[] Hidden);

/// <summary>
/// The contexts a subject's facts are keyed in, at one layer: the raw key (the subject's last token
/// averaged over the bare prompt, weight ½, and the model's own prefixes, ½ shared) and, per fact with
/// a question, the chat key (the subject's last token inside the user's chat turn). Each becomes its
/// own column of the edit, so the edit fires on a completion prompt and when the user asks in chat
/// (memit.md: the chat gap). Computed on the model as edited so far, in one packed pass.
/// </summary>
public static unsafe class Keys
{
    public sealed record Set(KeyAndHidden Raw, IReadOnlyList<KeyAndHidden> Chat)
    {
        public IEnumerable<KeyAndHidden> All => [Raw, .. Chat];
    }

    public static Set Compute(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> edits,
        IReadOnlyList<Fact> facts, Templates templates, int layer, int criticalLayer, bool chat)
    {
        if (facts[^1].IsAsked) return ComputeAsked(model, weights, backend, edits, facts, layer, criticalLayer);
        var hp = weights.Hparams;
        var raw = templates.Raw(facts[^1]);
        var chats = chat ? facts.Select(f => Templates.Chat(model, f)).OfType<string>().ToList() : [];
        var tails = raw.Select(text => Tail(model, text, facts[^1].Subject, first: false))
            .Concat(chats.Select(text => Tail(model, text, facts[^1].Subject, first: true))).ToList();
        var read = Read(weights, backend, edits, tails, [(Intermediate.FfnDownInput, layer), (Intermediate.LayerOutput, criticalLayer)]);
        float[] keys = read[0], hidden = read[1];
        int nff = hp.FeedForwardLength, nembd = hp.EmbeddingLength;

        var rawKey = new float[nff];
        for (int t = 0; t < raw.Count; t++)
        {
            double weight = raw.Count == 1 ? 1 : t == 0 ? 0.5 : 0.5 / (raw.Count - 1);
            var k = keys.AsSpan(t * nff, nff);
            for (int i = 0; i < nff; i++) rawKey[i] += (float)(weight * k[i]);
        }
        var rawSet = new KeyAndHidden(rawKey, hidden[..nembd]);
        var chatSets = Enumerable.Range(raw.Count, chats.Count)
            .Select(t => new KeyAndHidden(keys[(t * nff)..((t + 1) * nff)], hidden[(t * nembd)..((t + 1) * nembd)])).ToList();
        return new Set(rawSet, chatSets);
    }

    /// <summary>Facts the user asks for (<see cref="Fact.IsAsked"/>), one group: a key per question, at the end of its key words in the user's turn.</summary>
    static Set ComputeAsked(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> edits, IReadOnlyList<Fact> facts, int layer, int criticalLayer)
    {
        var tails = facts.SelectMany(f => f.Asked!).Select(q => SequenceTail.Whole(Templates.AskedTokens(model, q, out int at), [at])).ToList();
        var read = Read(weights, backend, edits, tails, [(Intermediate.FfnDownInput, layer), (Intermediate.LayerOutput, criticalLayer)]);
        int nff = weights.Hparams.FeedForwardLength, nembd = weights.Hparams.EmbeddingLength;
        var sets = Enumerable.Range(0, tails.Count)
            .Select(t => new KeyAndHidden(read[0][(t * nff)..((t + 1) * nff)], read[1][(t * nembd)..((t + 1) * nembd)])).ToList();
        return new Set(sets[0], sets[1..]);
    }

    /// <summary>
    /// Keys at one layer of subjects that must not be edited (<see cref="Decoys"/>): each at its last
    /// token in the bare prompt and, with <paramref name="chat"/>, inside the user's question; an asked decoy at its key words.
    /// </summary>
    public static IReadOnlyList<float[]> Others(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> edits,
        IReadOnlyList<Fact> others, int layer, bool chat)
    {
        if (others.Count == 0) return [];
        var named = others.Where(f => !f.IsAsked).ToList();
        var tails = named.Select(f => Tail(model, f.Prompt, f.Subject, first: false))
            .Concat(chat ? named.Select(f => (f, text: Templates.Question(model, f))).Where(x => x.text is not null)
                .Select(x => Tail(model, x.text!, x.f.Subject, first: true)) : [])
            .Concat(others.Where(f => f.IsAsked).SelectMany(f => f.Asked!).Select(q => SequenceTail.Whole(Templates.AskedTokens(model, q, out int at), [at])))
            .ToList();
        float[] keys = Read(weights, backend, edits, tails, [(Intermediate.FfnDownInput, layer)])[0];
        int nff = weights.Hparams.FeedForwardLength;
        return [.. Enumerable.Range(0, tails.Count).Select(t => keys[(t * nff)..((t + 1) * nff)])];
    }

    /// <summary>
    /// Σ k kᵀ per layer (and the count: E[k kᵀ] = sum / count) over the keys at every output position of
    /// <paramref name="tails"/> on the bare model, <paramref name="perGraph"/> sequences a pass: the extra key
    /// statistics the solve adds to the text's.
    /// </summary>
    internal static CaptureSums SecondMoment(ModelWeights weights, Backend backend, IReadOnlyList<int> layers, IReadOnlyList<SequenceTail> tails, int perGraph)
    {
        // The packed SIMD sums the covariance uses: a dense n_ff² matrix per layer and product would be 0.5 GB each at 3B.
        var sums = new CaptureSums(CaptureKind.FfnDownInput, weights.Hparams.FeedForwardLength, [.. layers]);
        foreach (var chunk in tails.Chunk(perGraph))
        {
            var read = Read(weights, backend, [], chunk, [.. layers.Select(l => (Intermediate.FfnDownInput, l))]);
            for (int i = 0; i < layers.Count; i++) sums.Add(layers[i], read[i]);
        }
        return sums;
    }

    /// <summary>The intermediates at each tail's output position, in one packed pass up to the last layer read.</summary>
    internal static float[][] Read(ModelWeights weights, Backend backend, IReadOnlyList<LowRank> edits, IReadOnlyList<SequenceTail> tails,
        (Intermediate Kind, int Layer)[] reads)
    {
        var packed = Packing.Pack(tails, 0, weights.Hparams);
        using var graph = new ComputeGraph(backend, maxNodes: 16384);
        var forward = TransformerGraph.Build(graph, weights, packed.Forward with
        {
            Logits = false, EndLayer = reads.Max(r => r.Layer) + 1, LowRank = edits, Read = reads,
        });
        graph.Compute();
        return [.. reads.Select(r => Tensors.GetFloats(forward.Intermediate(r.Kind, r.Layer)))];
    }

    /// <summary>The text as a whole sequence, read at the subject's last (or, in chat, first: the user's) occurrence.</summary>
    static SequenceTail Tail(Model model, string text, string subject, bool first)
    {
        int[] positions = Positions.SubjectLastTokens(model, text, subject);
        return SequenceTail.Whole(model.Tokenize(text), [first ? positions[0] : positions[^1]]);
    }
}
