using System.Runtime.InteropServices;
using System.Text;
using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>A GGUF model loaded by llama.cpp, with its tokenizer and chat template. Engine thread only.</summary>
public sealed unsafe class Model : IDisposable
{
    readonly SafeLlamaModelHandle handle;

    Model(string path, SafeLlamaModelHandle handle, ModelOptions options)
    {
        Path = path;
        this.handle = handle;
        Options = options;
        Vocab = Llama.llama_model_get_vocab(handle);
        ChatTemplate = NativeRuntime.Utf8(Llama.llama_model_chat_template(handle, null)) is { Length: > 0 } t ? t : null;
    }

    public string Path { get; }
    public ModelOptions Options { get; }
    internal SafeLlamaModelHandle Handle => handle;
    internal nint Vocab { get; }
    public string? ChatTemplate { get; }
    public int LayerCount => Llama.llama_model_n_layer(handle);
    public int EmbeddingLength => Llama.llama_model_n_embd(handle);
    public int TrainingContext => Llama.llama_model_n_ctx_train(handle);
    public int VocabularySize => Llama.llama_vocab_n_tokens(Vocab);

    public string Description
    {
        get
        {
            Span<byte> buffer = stackalloc byte[256];
            fixed (byte* p = buffer)
            {
                int n = Llama.llama_model_desc(handle, p, (nuint)buffer.Length);
                return Encoding.UTF8.GetString(buffer[..Math.Clamp(n, 0, buffer.Length - 1)]);
            }
        }
    }

    /// <summary>Checks the file with our own GGUF reader first, so a bad file gets a precise reason.</summary>
    public static Model Load(string path, ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        Models.ModelInfo.Read(path);
        Runtime.Initialize();
        var parameters = Llama.llama_model_default_params();
        parameters.NGpuLayers = options.GpuLayers;
        parameters.UseExtraBufts = options.Repack;
        var handle = Llama.llama_model_load_from_file(path, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            string reason = NativeLog.LastProblem is { } problem ? $": {problem}" : "";
            throw new SleepingLlmException($"llama.cpp could not load {path}{reason}");
        }
        return new Model(path, handle, options);
    }

    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var tokens = new int[utf8.Length + 8];
        fixed (byte* t = utf8)
        fixed (int* o = tokens)
        {
            int n = Llama.llama_tokenize(Vocab, t, utf8.Length, o, tokens.Length, addSpecial, parseSpecial);
            if (n < 0)
            {
                // A negative count is the size needed.
                tokens = new int[-n];
                fixed (int* o2 = tokens)
                    n = Llama.llama_tokenize(Vocab, t, utf8.Length, o2, tokens.Length, addSpecial, parseSpecial);
            }
            if (n < 0) throw new SleepingLlmException("the text is too long to tokenize");
            return tokens[..n];
        }
    }

    /// <summary>The bytes of one token: a piece may be part of a UTF-8 character, so no string here.</summary>
    public byte[] TokenBytes(int token, bool special = false)
    {
        Span<byte> buffer = stackalloc byte[128];
        fixed (byte* p = buffer)
        {
            int n = Llama.llama_token_to_piece(Vocab, token, p, buffer.Length, 0, special);
            if (n >= 0) return buffer[..n].ToArray();
        }
        var large = new byte[-Llama.llama_token_to_piece(Vocab, token, null, 0, 0, special)];
        fixed (byte* p = large)
            Llama.llama_token_to_piece(Vocab, token, p, large.Length, 0, special);
        return large;
    }

    public string Detokenize(ReadOnlySpan<int> tokens, bool special = false)
    {
        var buffer = new byte[Math.Max(64, tokens.Length * 16)];
        fixed (int* t = tokens)
        {
            int n;
            fixed (byte* p = buffer) n = Llama.llama_detokenize(Vocab, t, tokens.Length, p, buffer.Length, false, special);
            if (n < 0)
            {
                buffer = new byte[-n];
                fixed (byte* p = buffer) n = Llama.llama_detokenize(Vocab, t, tokens.Length, p, buffer.Length, false, special);
            }
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
    }

    public bool IsEndOfGeneration(int token) => Llama.llama_vocab_is_eog(Vocab, token);

    /// <summary>Formats a conversation with the model's own chat template, through llama.cpp.</summary>
    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addAssistant)
    {
        string template = ChatTemplate ?? throw new SleepingLlmException(
            $"{System.IO.Path.GetFileName(Path)} has no chat template; use generate");
        var strings = new List<nint>();
        byte* Utf8(string s)
        {
            nint p = Marshal.StringToCoTaskMemUTF8(s);
            strings.Add(p);
            return (byte*)p;
        }
        try
        {
            var native = new LlamaChatMessage[messages.Count];
            for (int i = 0; i < messages.Count; i++)
                native[i] = new LlamaChatMessage { Role = Utf8(messages[i].Role), Content = Utf8(messages[i].Content) };
            byte* tmpl = Utf8(template);
            // The call returns the size it needs; a second call with that size always fits.
            int size = 256 + 2 * messages.Sum(m => Encoding.UTF8.GetByteCount(m.Content) + m.Role.Length + 16);
            while (true)
            {
                var output = new byte[size];
                int n;
                fixed (LlamaChatMessage* m = native)
                fixed (byte* o = output)
                    n = Llama.llama_chat_apply_template(tmpl, m, (nuint)native.Length, addAssistant, o, output.Length);
                if (n < 0) throw new SleepingLlmException("llama.cpp does not support this model's chat template");
                if (n <= output.Length) return Encoding.UTF8.GetString(output, 0, n);
                size = n;
            }
        }
        finally
        {
            foreach (nint p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Loads a GGUF LoRA adapter for this model (llama.cpp checks that it fits).</summary>
    public SafeLlamaAdapterHandle LoadAdapter(string adapterPath)
    {
        if (!File.Exists(adapterPath)) throw new SleepingLlmException($"adapter file not found: {adapterPath}");
        nint adapter = Llama.llama_adapter_lora_init(handle, adapterPath);
        if (adapter == 0)
            throw new SleepingLlmException($"llama.cpp could not load the adapter {adapterPath}" +
                (NativeLog.LastProblem is { } problem ? $": {problem}" : ""));
        return new SafeLlamaAdapterHandle(adapter, handle);
    }

    public void Dispose() => handle.Dispose();
}
