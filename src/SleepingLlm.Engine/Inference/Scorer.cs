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

    public Model Model => model;

    /// <summary>Applies one adapter at <paramref name="scale"/> (null: none) to the following evaluations.</summary>
    public void UseAdapter(SafeLlamaAdapterHandle? adapter, float scale = 1f) =>
        UseAdapters(adapter is null ? [] : [new AdapterScale(adapter, scale)]);

    /// <summary>Applies exactly these adapters, each at its scale, to the following evaluations.</summary>
    public void UseAdapters(IReadOnlyList<AdapterScale> adapters) => Adapters.Set(handle, adapters);

    /// <summary>[tokens × vocabulary] logits, row t predicting token t+1.</summary>
    public float[] Logits(ReadOnlySpan<int> tokens)
    {
        Decode(tokens, 0);
        int vocab = model.VocabularySize;
        var logits = new float[tokens.Length * vocab];
        for (int i = 0; i < tokens.Length; i++)
            Row(i).CopyTo(logits.AsSpan(i * vocab, vocab));
        return logits;
    }

    /// <summary>
    /// log p(token t | tokens before it) for t in [<paramref name="from"/>, length), 1 ≤ from: the basis of
    /// perplexity and of a continuation's probability. Only the rows needed are computed, none copied.
    /// </summary>
    public double[] LogProbabilities(ReadOnlySpan<int> tokens, int from)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(from, tokens.Length);
        Decode(tokens, from - 1);
        var result = new double[tokens.Length - from];
        for (int t = from; t < tokens.Length; t++)
        {
            var row = Row(t - 1);
            result[t - from] = row[tokens[t]] - LogSumExp(row);
        }
        return result;
    }

    /// <summary>The log-probabilities of the token after the sequence (a full distribution over the vocabulary).</summary>
    public float[] NextToken(ReadOnlySpan<int> tokens)
    {
        Decode(tokens, tokens.Length - 1);
        return LogProbabilities(Row(tokens.Length - 1));
    }

    /// <summary>A row of logits as log-probabilities (log-softmax), in a new array.</summary>
    public static float[] LogProbabilities(ReadOnlySpan<float> logits)
    {
        var result = new float[logits.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(logits, (float)LogSumExp(logits), result);
        return result;
    }

    /// <summary>Decodes the sequence from an empty cache, with logits from position <paramref name="logitsFrom"/> on.</summary>
    void Decode(ReadOnlySpan<int> tokens, int logitsFrom)
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
                batch.Logits[i] = (sbyte)(i >= logitsFrom ? 1 : 0);
            }
            int status = Llama.llama_decode(handle, batch);
            if (status != 0) throw new SleepingLlmException($"llama_decode failed ({status})");
        }
        finally
        {
            Llama.llama_batch_free(batch);
        }
    }

    ReadOnlySpan<float> Row(int position) => new(Llama.llama_get_logits_ith(handle, position), model.VocabularySize);

    /// <summary>log Σ exp(x), shifted by the maximum so that no term overflows.</summary>
    static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float l in row) sum += Math.Exp(l - max);
        return max + Math.Log(sum);
    }

    public void Dispose() => handle.Dispose();
}
