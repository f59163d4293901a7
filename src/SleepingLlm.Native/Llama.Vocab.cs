using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>llama.h: the vocabulary and llama.cpp's own tokenizer. A vocab pointer lives as long as its model.</summary>
public static unsafe partial class Llama
{
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_vocab_n_tokens(nint vocab);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_vocab_bos(nint vocab);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_vocab_eos(nint vocab);
    [LibraryImport(NativeLibraries.Llama)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_eog(nint vocab, int token);
    [LibraryImport(NativeLibraries.Llama)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_bos(nint vocab);

    [LibraryImport(NativeLibraries.Llama)]
    public static partial int llama_tokenize(nint vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);
    [LibraryImport(NativeLibraries.Llama)]
    public static partial int llama_token_to_piece(nint vocab, int token, byte* buf, int length, int lstrip, [MarshalAs(UnmanagedType.U1)] bool special);
    [LibraryImport(NativeLibraries.Llama)]
    public static partial int llama_detokenize(nint vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);
}
