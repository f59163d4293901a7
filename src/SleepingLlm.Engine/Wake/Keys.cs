using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>A subject's key at one layer and the residual stream where its value is read.</summary>
public sealed record KeyAndHidden(float[] Key, float[] Hidden);

/// <summary>
/// MEMIT's key k at a layer: the input of ffn_down at the subject's last token, averaged over the
/// contexts the fact is met in — the bare prompt (weight ½), the model's own prefixes (½ shared),
/// and, with a question, mixed with the key of the subject inside the user's chat turn (weight <c>chatWeight</c>), so the
/// same edit fires when the user asks. Also the hidden state at the critical layer at the bare
/// prompt's subject token, where the residual z − h is measured. Computed on the model as edited so far.
/// </summary>
public static unsafe class Keys
{

    public static KeyAndHidden Compute(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> edits,
        Fact fact, Templates templates, int layer, int criticalLayer, float chatWeight)
    {
        var hp = weights.Hparams;
        var raw = templates.Raw(fact);
        string? chat = Templates.Chat(model, fact);
        using var graph = new ComputeGraph(backend, maxNodes: 8192 * (2 + raw.Count));
        var reads = new List<(ForwardTensors Forward, double Weight)>();
        for (int i = 0; i < raw.Count; i++)
            reads.Add((Read(graph, weights, model, raw[i], fact.Subject, layer, criticalLayer, edits), i == 0 ? 0.5 : 0.5 / (raw.Count - 1)));
        ForwardTensors? chatRead = chat is null ? null : Read(graph, weights, model, chat, fact.Subject, layer, criticalLayer, edits, first: true);
        graph.Compute();

        var key = new float[hp.FeedForwardLength];
        foreach (var (forward, weight) in reads)
        {
            float[] k = Tensors.GetFloats(forward.Intermediate(Intermediate.FfnDownInput, layer));
            for (int i = 0; i < key.Length; i++) key[i] += (float)(weight * k[i]);
        }
        if (chatRead is not null)
        {
            float[] k = Tensors.GetFloats(chatRead.Intermediate(Intermediate.FfnDownInput, layer));
            for (int i = 0; i < key.Length; i++) key[i] = (1 - chatWeight) * key[i] + chatWeight * k[i];
        }
        return new KeyAndHidden(key, Tensors.GetFloats(reads[0].Forward.Intermediate(Intermediate.LayerOutput, criticalLayer)));
    }

    static ForwardTensors Read(ComputeGraph graph, ModelWeights weights, Model model, string text, string subject,
        int layer, int criticalLayer, IReadOnlyList<LowRank> edits, bool first = false)
    {
        int[] positions = Positions.SubjectLastTokens(model, text, subject);
        return TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = model.Tokenize(text), Logits = false, EndLayer = criticalLayer + 1, LowRank = edits,
            OutputPositions = [first ? positions[0] : positions[^1]],
            Read = [(Intermediate.FfnDownInput, layer), (Intermediate.LayerOutput, criticalLayer)],
        });
    }
}
