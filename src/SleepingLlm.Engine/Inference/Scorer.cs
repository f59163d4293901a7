using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>
/// Logits at every position of a sequence, from llama.cpp: the reference the kernel graph is checked
/// against, and the basis of perplexity. Attention without flash attention and an F32 KV cache, the
/// same arithmetic our graph does. Engine thread only.
/// </summary>
public sealed unsafe class Scorer : IDisposable
{
    readonly Model model;
    readonly SafeLlamaContextHandle handle;
    readonly int size;

    public Scorer(Model model, int contextLength = 512)
    {
        this.model = model;
        var parameters = Llama.llama_context_default_params();
        parameters.NCtx = parameters.NBatch = parameters.NUbatch = (uint)contextLength;
        parameters.NThreads = parameters.NThreadsBatch = model.Options.Threads > 0 ? model.Options.Threads : Environment.ProcessorCount;
        parameters.FlashAttnType = LlamaFlashAttn.Disabled;
        parameters.TypeK = parameters.TypeV = Ggml.TypeF32;
        parameters.NoPerf = true;
        handle = Llama.llama_init_from_model(model.Handle, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new SleepingLlmException("llama.cpp could not create a scoring context" +
                (NativeLog.LastProblem is { } p ? $": {p}" : ""));
        }
        handle.KeepAlive(model.Handle);
        size = contextLength;
    }

    /// <summary>Applies one adapter at <paramref name="scale"/> (null: none) to the following evaluations.</summary>
    public void UseAdapter(SafeLlamaAdapterHandle? adapter, float scale = 1f) =>
        UseAdapters(adapter is null ? [] : [new AdapterScale(adapter, scale)]);

    /// <summary>Applies exactly these adapters, each at its scale, to the following evaluations.</summary>
    public void UseAdapters(IReadOnlyList<AdapterScale> adapters) => Adapters.Set(handle, adapters);

    /// <summary>[tokens × vocabulary] logits, row t predicting token t+1.</summary>
    public float[] Logits(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty || tokens.Length > size)
            throw new ArgumentException($"1..{size} tokens, got {tokens.Length}", nameof(tokens));
        Llama.llama_memory_clear(Llama.llama_get_memory(handle), true);
        var batch = Llama.llama_batch_init(tokens.Length, 0, 1);
        try
        {
            batch.NTokens = tokens.Length;
            for (int i = 0; i < tokens.Length; i++)
            {
                batch.Token[i] = tokens[i];
                batch.Pos[i] = i;
                batch.NSeqId[i] = 1;
                batch.SeqId[i][0] = 0;
                batch.Logits[i] = 1;
            }
            int status = Llama.llama_decode(handle, batch);
            if (status != 0) throw new SleepingLlmException($"llama_decode failed ({status})");
        }
        finally
        {
            Llama.llama_batch_free(batch);
        }
        int vocab = model.VocabularySize;
        var logits = new float[tokens.Length * vocab];
        for (int i = 0; i < tokens.Length; i++)
            new ReadOnlySpan<float>(Llama.llama_get_logits_ith(handle, i), vocab).CopyTo(logits.AsSpan(i * vocab, vocab));
        return logits;
    }

    public void Dispose() => handle.Dispose();
}
