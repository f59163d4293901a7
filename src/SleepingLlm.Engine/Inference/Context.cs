using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>
/// A llama.cpp context over one sequence whose KV cache mirrors <see cref="Tokens"/>: a new prompt
/// that shares a prefix with what is cached only decodes the rest (a chat turn re-sends the whole
/// conversation). Engine thread only.
/// </summary>
public sealed unsafe class Context : IDisposable
{
    readonly SafeLlamaContextHandle handle;
    readonly LlamaBatch batch;
    readonly int batchCapacity;
    readonly List<int> tokens = [];

    /// <param name="contextLength">Tokens of context; 0 = as the model's options say.</param>
    public Context(Model model, int contextLength = 0)
    {
        Model = model;
        var options = model.Options;
        var parameters = Llama.llama_context_default_params();
        if (contextLength <= 0) contextLength = options.ContextLength > 0 ? options.ContextLength : Math.Min(4096, model.TrainingContext);
        parameters.NCtx = (uint)contextLength;
        parameters.NBatch = parameters.NUbatch = (uint)options.BatchSize;
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        parameters.NThreads = parameters.NThreadsBatch = threads;
        if (!options.HalfPrecisionCache)
        {
            parameters.FlashAttnType = LlamaFlashAttn.Disabled;
            parameters.TypeK = parameters.TypeV = Ggml.TypeF32;
        }
        parameters.NoPerf = true;
        handle = Llama.llama_init_from_model(model.Handle, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new SleepingLlmException($"llama.cpp could not create a context of {parameters.NCtx} tokens" +
                (NativeLog.LastProblem is { } p ? $": {p}" : ""));
        }
        handle.KeepAlive(model.Handle);
        Size = (int)Llama.llama_n_ctx(handle);
        batchCapacity = (int)Llama.llama_n_batch(handle);
        batch = Llama.llama_batch_init(batchCapacity, 0, 1);
    }

    public Model Model { get; }
    internal SafeLlamaContextHandle Handle => handle;
    /// <summary>The context window in tokens.</summary>
    public int Size { get; }
    /// <summary>The tokens whose keys and values are in the cache, in order.</summary>
    public IReadOnlyList<int> Tokens => tokens;

    /// <summary>Forgets everything cached (also needed after the adapters change).</summary>
    public void Clear()
    {
        Llama.llama_memory_clear(Llama.llama_get_memory(handle), true);
        tokens.Clear();
    }

    /// <summary>Applies a LoRA adapter at <paramref name="scale"/> (null: none); the cache is cleared, it was computed without it.</summary>
    public void SetAdapter(SafeLlamaAdapterHandle? adapter, float scale = 1f) =>
        SetAdapters(adapter is null ? [] : [new AdapterScale(adapter, scale)]);

    /// <summary>Applies exactly these adapters, each at its scale (none: the bare model); the cache is cleared.</summary>
    public void SetAdapters(IReadOnlyList<AdapterScale> adapters)
    {
        Adapters.Set(handle, adapters);
        Applied = [.. adapters];
        Clear();
    }

    /// <summary>The adapters the context runs with, each at its scale.</summary>
    public IReadOnlyList<AdapterScale> Applied { get; private set; } = [];

    /// <summary>How many adapters the context runs with.</summary>
    public int AdapterCount => Applied.Count;

    /// <summary>Makes the cache hold exactly <paramref name="prompt"/>; the logits of its last token are then ready.</summary>
    public void Prefill(ReadOnlySpan<int> prompt)
    {
        if (prompt.IsEmpty) throw new ArgumentException("empty prompt", nameof(prompt));
        if (prompt.Length > Size)
            throw new SleepingLlmException($"the prompt has {prompt.Length} tokens, more than the context of {Size}");
        int common = prompt.CommonPrefixLength(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens));
        // The last prompt token is always decoded again so that its logits are fresh.
        if (common == prompt.Length) common--;
        if (common < tokens.Count)
        {
            if (!Llama.llama_memory_seq_rm(Llama.llama_get_memory(handle), 0, common, -1)) { Clear(); common = 0; }
            else tokens.RemoveRange(common, tokens.Count - common);
        }
        Decode(prompt[common..]);
    }

    /// <summary>Appends tokens to the cache; logits are computed for the last one.</summary>
    public void Decode(ReadOnlySpan<int> input)
    {
        if (tokens.Count + input.Length > Size)
            throw new SleepingLlmException($"the context of {Size} tokens is full");
        for (int start = 0; start < input.Length; start += batchCapacity)
        {
            var chunk = input.Slice(start, Math.Min(batchCapacity, input.Length - start));
            var b = batch;
            b.NTokens = chunk.Length;
            for (int i = 0; i < chunk.Length; i++)
            {
                b.Token[i] = chunk[i];
                b.Pos[i] = tokens.Count + i;
                b.NSeqId[i] = 1;
                b.SeqId[i][0] = 0;
                b.Logits[i] = (sbyte)(start + i == input.Length - 1 ? 1 : 0);
            }
            int status = Llama.llama_decode(handle, b);
            if (status != 0)
            {
                // A failed decode may leave part of the batch in the cache: start clean next time.
                Clear();
                throw new SleepingLlmException($"llama_decode failed ({status})" +
                    (NativeLog.LastProblem is { } p ? $": {p}" : ""));
            }
            tokens.AddRange(chunk);
        }
    }

    /// <summary>The logits of the last decoded token.</summary>
    public ReadOnlySpan<float> Logits => new(Llama.llama_get_logits_ith(handle, -1), Model.VocabularySize);

    public void Dispose()
    {
        Llama.llama_batch_free(batch);
        handle.Dispose();
    }
}
