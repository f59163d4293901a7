namespace SleepingLlm.Native;

/// <summary>The pinned llama.cpp release, read from native/runtime.env (embedded at build time).</summary>
public sealed record PinnedRuntime(string Release, string LlamaVersion, string GgmlVersion, string NodeLlamaCppVersion)
{
    public static PinnedRuntime Current { get; } = Load();

    static PinnedRuntime Load()
    {
        using var stream = typeof(PinnedRuntime).Assembly.GetManifestResourceStream("runtime.env")
            ?? throw new InvalidOperationException("runtime.env is not embedded in SleepingLlm.Native");
        using var reader = new StreamReader(stream);
        var values = new Dictionary<string, string>();
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int eq = line.IndexOf('=');
            if (eq > 0) values[line[..eq]] = line[(eq + 1)..];
        }
        return new PinnedRuntime(values["LLAMA_CPP_RELEASE"], values["LLAMA_CPP_VERSION"],
            values["GGML_VERSION"], values["NODE_LLAMA_CPP_VERSION"]);
    }

    /// <summary>A library build of this release reports the version with or without a "-dev" suffix.</summary>
    public bool Accepts(string llamaVersion, string ggmlVersion) =>
        (llamaVersion == LlamaVersion || llamaVersion == LlamaVersion + "-dev") && ggmlVersion == GgmlVersion;
}
