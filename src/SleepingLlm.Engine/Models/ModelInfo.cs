using SleepingLlm.Gguf;

namespace SleepingLlm.Models;

/// <summary>
/// What a GGUF model is, from its header alone (no tensor data is read): the hyperparameters that
/// llama.cpp reads under <c>&lt;arch&gt;.*</c> keys, the tokenizer, and a census of the tensors.
/// </summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="FileSize">Bytes.</param>
/// <param name="Architecture"><c>general.architecture</c>, e.g. "llama".</param>
/// <param name="Name"><c>general.name</c>, if present.</param>
/// <param name="FileType"><c>general.file_type</c> (llama_ftype, e.g. 3 = mostly Q4_1), if present.</param>
/// <param name="LayerCount">n_layer: <c>&lt;arch&gt;.block_count</c>.</param>
/// <param name="EmbeddingLength">n_embd: <c>&lt;arch&gt;.embedding_length</c>.</param>
/// <param name="FeedForwardLength">n_ff: <c>&lt;arch&gt;.feed_forward_length</c>, if present.</param>
/// <param name="HeadCount">n_head: <c>&lt;arch&gt;.attention.head_count</c>.</param>
/// <param name="KvHeadCount">n_head_kv: <c>&lt;arch&gt;.attention.head_count_kv</c>, or <paramref name="HeadCount"/> when absent, as llama.cpp does.</param>
/// <param name="TrainedContextLength">n_ctx_train: <c>&lt;arch&gt;.context_length</c>.</param>
/// <param name="RopeFreqBase"><c>&lt;arch&gt;.rope.freq_base</c>, if present.</param>
/// <param name="RmsNormEpsilon"><c>&lt;arch&gt;.attention.layer_norm_rms_epsilon</c>, if present.</param>
/// <param name="VocabSize">The number of <c>tokenizer.ggml.tokens</c>.</param>
/// <param name="TokenizerModel"><c>tokenizer.ggml.model</c> ("gpt2", "llama", ...), if present.</param>
/// <param name="TiedEmbeddings">True when there is no <c>output.weight</c>: the token embedding doubles as the output projection.</param>
/// <param name="ParameterCount">Sum of all tensors' element counts.</param>
/// <param name="TensorTypeCounts">ggml type name ("q4_1", "f32") → number of tensors of that type.</param>
/// <param name="ChatTemplate"><c>tokenizer.chat_template</c>; null for base models without one.</param>
public sealed record ModelInfo(
    string Path,
    long FileSize,
    string Architecture,
    string? Name,
    uint? FileType,
    int LayerCount,
    int EmbeddingLength,
    int? FeedForwardLength,
    int HeadCount,
    int KvHeadCount,
    int TrainedContextLength,
    float? RopeFreqBase,
    float? RmsNormEpsilon,
    int VocabSize,
    string? TokenizerModel,
    bool TiedEmbeddings,
    long ParameterCount,
    IReadOnlyDictionary<string, int> TensorTypeCounts,
    string? ChatTemplate)
{
    /// <summary>Reads a model file's header.</summary>
    /// <exception cref="SleepingLlmException">the path is missing or not a file, or the file is not a usable GGUF
    /// (<see cref="GgufFormatException"/>).</exception>
    public static ModelInfo Read(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new SleepingLlmException("model path is empty");
        if (Directory.Exists(path)) throw new SleepingLlmException($"model path is a directory, not a GGUF file: {path}");
        if (!File.Exists(path)) throw new SleepingLlmException($"model file not found: {path}");
        return FromGguf(GgufFile.Read(path));
    }

    /// <exception cref="GgufFormatException">a required key is missing or has the wrong type.</exception>
    public static ModelInfo FromGguf(GgufFile file)
    {
        var arch = file.GetString("general.architecture");
        var headCount = file.GetInt32($"{arch}.attention.head_count");

        var typeCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long parameters = 0;
        foreach (var tensor in file.Tensors)
        {
            parameters += tensor.ElementCount;
            var name = tensor.Type.Name();
            typeCounts[name] = typeCounts.GetValueOrDefault(name) + 1;
        }

        return new ModelInfo(
            Path: file.Path is null ? file.Source : System.IO.Path.GetFullPath(file.Path),
            FileSize: file.FileSize,
            Architecture: arch,
            Name: file.GetStringOrNull("general.name"),
            FileType: file.GetUInt32OrNull("general.file_type"),
            LayerCount: file.GetInt32($"{arch}.block_count"),
            EmbeddingLength: file.GetInt32($"{arch}.embedding_length"),
            FeedForwardLength: file.GetInt32OrNull($"{arch}.feed_forward_length"),
            HeadCount: headCount,
            KvHeadCount: file.GetInt32OrNull($"{arch}.attention.head_count_kv") ?? headCount,
            TrainedContextLength: file.GetInt32($"{arch}.context_length"),
            RopeFreqBase: file.GetFloatOrNull($"{arch}.rope.freq_base"),
            RmsNormEpsilon: file.GetFloatOrNull($"{arch}.attention.layer_norm_rms_epsilon"),
            VocabSize: file.GetArray<string>("tokenizer.ggml.tokens").Count,
            TokenizerModel: file.GetStringOrNull("tokenizer.ggml.model"),
            TiedEmbeddings: file.FindTensor("output.weight") is null,
            ParameterCount: parameters,
            TensorTypeCounts: typeCounts,
            ChatTemplate: file.GetStringOrNull("tokenizer.chat_template"));
    }
}
