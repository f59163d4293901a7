using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>llama.cpp's sampler chain built from <see cref="SamplerSettings"/>. Engine thread only.</summary>
public sealed class Sampler : IDisposable
{
    readonly SafeLlamaSamplerHandle chain;

    public Sampler(Model model, SamplerSettings settings)
    {
        chain = Llama.llama_sampler_chain_init(new LlamaSamplerChainParams { NoPerf = true });
        // First in the chain: the grammar masks every token it rejects before any other sampler picks.
        if (settings.Grammar is { } grammar)
        {
            nint constrained = Llama.llama_sampler_init_grammar(model.Vocab, grammar.Rules, grammar.Root);
            if (constrained == 0)
            {
                chain.Dispose();
                throw new SleepingLlmException($"llama.cpp could not parse the grammar (root \"{grammar.Root}\")" +
                    (NativeLog.LastProblem is { } problem ? $": {problem}" : ""));
            }
            Add(constrained);
        }
        if (settings.RepeatPenalty != 1f)
            Add(Llama.llama_sampler_init_penalties(model.VocabularySize, settings.RepeatLastN, settings.RepeatPenalty, 0, 0));
        if (settings.Temperature <= 0)
        {
            Add(Llama.llama_sampler_init_greedy());
            return;
        }
        Add(Llama.llama_sampler_init_top_p(settings.TopP, 1));
        Add(Llama.llama_sampler_init_min_p(settings.MinP, 1));
        Add(Llama.llama_sampler_init_temp(settings.Temperature));
        Add(Llama.llama_sampler_init_dist(settings.Seed ?? Llama.DefaultSeed));
    }

    void Add(nint sampler) => Llama.llama_sampler_chain_add(chain, sampler);

    /// <summary>Picks the next token from the context's last logits and records it (for the penalties).</summary>
    public int Sample(Context context) => Llama.llama_sampler_sample(chain, context.Handle, -1);

    public void Dispose() => chain.Dispose();
}
