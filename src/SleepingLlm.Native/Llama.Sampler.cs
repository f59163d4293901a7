using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>llama.h: llama.cpp's samplers. A chain owns the samplers added to it.</summary>
public static unsafe partial class Llama
{
    [LibraryImport(NativeLibraries.Llama)] public static partial SafeLlamaSamplerHandle llama_sampler_chain_init(LlamaSamplerChainParams parameters);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, nint sampler);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_sampler_free(nint sampler);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_sampler_reset(SafeLlamaSamplerHandle sampler);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_sampler_accept(SafeLlamaSamplerHandle sampler, int token);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int idx);

    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_greedy();
    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_dist(uint seed);
    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_top_k(int k);
    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_top_p(float p, nuint minKeep);
    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_min_p(float p, nuint minKeep);
    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_sampler_init_temp(float t);
    [LibraryImport(NativeLibraries.Llama)]
    public static partial nint llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

    /// <summary>A GBNF grammar over <paramref name="vocab"/>; 0 when <paramref name="grammar"/> does not parse.</summary>
    [LibraryImport(NativeLibraries.Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llama_sampler_init_grammar(nint vocab, string grammar, string root);
}
