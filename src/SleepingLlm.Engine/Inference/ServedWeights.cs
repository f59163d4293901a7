using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>
/// Where llama.cpp serves the model's weights in host memory, in the file's own layout: its map of the
/// GGUF. The kernel graph reads them there (<see cref="Kernels.ModelWeights"/>), so wake and sleep add
/// no copy of the weights, and no second map either (a page mapped twice counts twice as resident).
/// llama.cpp has no API that names its tensors, so one decode of one token is watched through the eval
/// callback: every node's sources that sit in a mapped buffer are weights, with their data pointers.
/// Repacked or device weights are not in the file's layout and are left out. Engine thread only; the
/// addresses are valid while the model is loaded.
/// </summary>
public static unsafe class ServedWeights
{
    static readonly ConditionalWeakTable<Model, IReadOnlyDictionary<string, nint>> found = new();

    /// <summary>Name → address of each weight llama.cpp serves from its map of the file (empty: none).</summary>
    public static IReadOnlyDictionary<string, nint> Of(Model model) => found.GetValue(model, Probe);

    static IReadOnlyDictionary<string, nint> Probe(Model model)
    {
        var weights = new Dictionary<string, nint>();
        var handle = GCHandle.Alloc(weights);
        try
        {
            var parameters = Llama.llama_context_default_params();
            parameters.NCtx = parameters.NBatch = parameters.NUbatch = 8;
            parameters.NSeqMax = 1;
            parameters.NThreads = parameters.NThreadsBatch = model.Options.Threads > 0 ? model.Options.Threads : Environment.ProcessorCount;
            parameters.NoPerf = true;
            parameters.CbEval = &OnEval;
            parameters.CbEvalUserData = GCHandle.ToIntPtr(handle);
            using var context = Llama.llama_init_from_model(model.Handle, parameters);
            if (context.IsInvalid) return weights;
            context.KeepAlive(model.Handle);
            var batch = Llama.llama_batch_init(1, 0, 1);
            try
            {
                batch.NTokens = 1;
                batch.Token[0] = Math.Max(0, Llama.llama_vocab_bos(model.Vocab));
                batch.Pos[0] = 0;
                batch.NSeqId[0] = 1;
                batch.SeqId[0][0] = 0;
                batch.Logits[0] = 1;
                Llama.llama_decode(context, batch);
            }
            finally
            {
                Llama.llama_batch_free(batch);
            }
        }
        finally
        {
            handle.Free();
        }
        return weights;
    }

    /// <summary>Answers "no" to every node (nothing is split or synced) and notes the mapped sources of each.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static byte OnEval(GgmlTensor* tensor, byte ask, nint userData)
    {
        try
        {
            if (ask == 0 || GCHandle.FromIntPtr(userData).Target is not Dictionary<string, nint> weights) return 1;
            for (int i = 0; i < GgmlTensor.MaxSrc; i++)
            {
                var source = (GgmlTensor*)tensor->Src[i];
                if (source == null || source->Buffer == 0 || source->Data == null || source->ViewSrc != null) continue;
                if (!NativeRuntime.Utf8(Ggml.ggml_backend_buffer_name(source->Buffer)).Equals("CPU_Mapped", StringComparison.Ordinal)) continue;
                weights.TryAdd(source->NameString, (nint)source->Data);
            }
        }
        catch
        {
            // Never across the native boundary: a weight not found is read from the kernel graph's own map.
        }
        return 0;
    }
}
