using System.Runtime.InteropServices;
using System.Security.Cryptography;
using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Models;
using SleepingLlm.Native;
using SleepingLlm.Synth;

namespace SleepingLlm.Tests.Synth;

/// <summary>Random-weight models written by <see cref="SynthModel"/>, checked by llama.cpp and by ggml's own GGUF parser.</summary>
[Collection(ModelCompute.Name)]
public sealed class SynthModelTests(SynthFiles files) : IClassFixture<SynthFiles>
{
    public static TheoryData<string, string> Models => new()
    {
        { "tiny", "F32" },
        { "tiny", "Q8_0" },
        { "qwen2-tiny", "Q4_K" },
    };

    static ModelOptions Small => new() { ContextLength = 256 };

    [Theory]
    [MemberData(nameof(Models))]
    public void Llama_cpp_loads_the_model_and_generates_greedily_and_repeatably(string preset, string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var shape = SynthShape.Preset(preset);
        var path = files.Get(preset, type);

        var info = ModelInfo.Read(path);
        Assert.Equal(shape.Architecture, info.Architecture);
        Assert.Equal(shape.LayerCount, info.LayerCount);
        Assert.Equal(shape.EmbeddingLength, info.EmbeddingLength);
        Assert.Equal(shape.FeedForwardLength, info.FeedForwardLength);
        Assert.Equal(shape.HeadCount, info.HeadCount);
        Assert.Equal(shape.KvHeadCount, info.KvHeadCount);
        Assert.Equal(shape.ContextLength, info.TrainedContextLength);
        Assert.Equal(shape.RopeFreqBase, info.RopeFreqBase);
        Assert.Equal(shape.RmsNormEpsilon, info.RmsNormEpsilon);
        Assert.Equal(shape.TiedEmbeddings, info.TiedEmbeddings);
        Assert.Equal(SynthModel.FileType(type), info.FileType);
        var donor = ModelInfo.Read(TestModels.SmolLm2);
        Assert.Equal(donor.VocabSize, info.VocabSize);
        Assert.Equal(donor.TokenizerModel, info.TokenizerModel);
        Assert.Equal(donor.ChatTemplate, info.ChatTemplate);

        using var model = Model.Load(path, Small);
        Assert.Equal(shape.LayerCount, model.LayerCount);
        Assert.Equal(shape.EmbeddingLength, model.EmbeddingLength);
        Assert.Equal(shape.ContextLength, model.TrainingContext);
        Assert.Equal(donor.VocabSize, model.VocabularySize);
        Assert.StartsWith(shape.Architecture, model.Description);

        var prompt = model.Tokenize("The capital of France is");
        GenerationResult first, second;
        using (var context = new Context(model))
        {
            first = Generation.Run(context, prompt, SamplerSettings.Greedy, 8);
            Assert.All(context.Logits.ToArray(), l => Assert.True(float.IsFinite(l)));
        }
        using (var context = new Context(model))
            second = Generation.Run(context, prompt, SamplerSettings.Greedy, 8);
        Assert.True(first.GeneratedTokens > 0);
        Assert.Equal(first.GeneratedTokens, second.GeneratedTokens);
        Assert.Equal(first.Text, second.Text);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Our_reader_and_ggml_agree_on_every_tensor(string preset, string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var path = files.Get(preset, type);
        var ours = GgufFile.Read(path);
        var plan = SynthModel.Plan(SynthShape.Preset(preset), type, ModelInfo.Read(path).VocabSize);
        Assert.Equal(plan.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Dimensions))),
            ours.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Dimensions))));
        Assert.Equal(ours.DataOffset + plan.DataSectionBytes(ours.Alignment), ours.FileSize);

        Runtime.Initialize();
        using var native = GgufNative.gguf_init_from_file(path, new GgufNative.InitParams { NoAlloc = true });
        Assert.False(native.IsInvalid);
        Assert.Equal(ours.Metadata.Count, GgufNative.gguf_get_n_kv(native));
        Assert.Equal(ours.Tensors.Count, GgufNative.gguf_get_n_tensors(native));
        Assert.Equal(ours.DataOffset, (long)GgufNative.gguf_get_data_offset(native));
        for (var i = 0; i < ours.Tensors.Count; i++)
        {
            var t = ours.Tensors[i];
            unsafe { Assert.Equal(t.Name, Marshal.PtrToStringUTF8((nint)GgufNative.gguf_get_tensor_name(native, i))); }
            Assert.Equal((int)t.Type, GgufNative.gguf_get_tensor_type(native, i));
            Assert.Equal(t.Offset, (long)GgufNative.gguf_get_tensor_offset(native, i));
        }
        unsafe
        {
            var arch = GgufNative.gguf_find_key(native, "general.architecture");
            Assert.Equal(SynthShape.Preset(preset).Architecture, Marshal.PtrToStringUTF8((nint)GgufNative.gguf_get_val_str(native, arch)));
        }
    }

    [Fact]
    public void Qwen2_has_qkv_biases_and_tied_embeddings_and_llama_has_neither()
    {
        var qwen = GgufFile.Read(files.Get("qwen2-tiny", GgmlType.Q4_K));
        Assert.NotNull(qwen.FindTensor("blk.1.attn_k.bias"));
        Assert.Equal(GgmlType.F32, qwen.FindTensor("blk.0.attn_q.bias")!.Type);
        Assert.Null(qwen.FindTensor("output.weight"));
        // n_embd 64 is not whole q4_K blocks (256): llama-quantize's fallback, q5_0.
        Assert.Equal(GgmlType.Q5_0, qwen.FindTensor("blk.0.ffn_up.weight")!.Type);

        var llama = GgufFile.Read(files.Get("tiny", GgmlType.Q8_0));
        Assert.Null(llama.FindTensor("blk.0.attn_q.bias"));
        Assert.Equal(GgmlType.Q8_0, llama.FindTensor("output.weight")!.Type);
        Assert.Equal(GgmlType.F32, llama.FindTensor("blk.1.ffn_norm.weight")!.Type);
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes_and_another_seed_does_not()
    {
        var first = files.Get("tiny", GgmlType.Q8_0);
        var again = Path.Combine(files.Folder, "again.gguf");
        SynthModel.Write(SynthShape.Preset("tiny"), GgmlType.Q8_0, TestModels.SmolLm2, again, 0, null);
        var other = files.Get("tiny", GgmlType.Q8_0, seed: 1);
        Assert.Equal(Hash(first), Hash(again));
        Assert.NotEqual(Hash(first), Hash(other));

        static string Hash(string path)
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexString(SHA256.HashData(stream));
        }
    }

    [Fact]
    public void Weights_are_small_gaussians_and_norms_are_near_one()
    {
        var file = GgufFile.Read(files.Get("tiny", GgmlType.F32));
        var embedding = Floats(file, "token_embd.weight");
        var (mean, std) = Stats(embedding);
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(std, 0.0195, 0.0205);
        // A Gaussian has about 4.55% of its mass beyond 2 sigma; a uniform has none.
        var tails = embedding.Count(x => Math.Abs(x) > 2 * SynthModel.WeightStd) / (double)embedding.Length;
        Assert.InRange(tails, 0.040, 0.051);
        Assert.All(embedding, x => Assert.True(Math.Abs(x) < 8 * SynthModel.WeightStd));

        var (normMean, normStd) = Stats(Floats(file, "blk.0.attn_norm.weight"));
        Assert.InRange(normMean, 0.99, 1.01);
        Assert.InRange(normStd, 0.01, 0.03);
        // Different tensors draw different values.
        Assert.NotEqual(Floats(file, "blk.0.ffn_gate.weight"), Floats(file, "blk.0.ffn_up.weight"));
    }

    public static TheoryData<string> QuantizedTypes => new() { "Q8_0", "Q4_1" };

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Quantized_weights_dequantize_to_the_f32_weights_of_the_same_seed(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var f32 = GgufFile.Read(files.Get("tiny", GgmlType.F32));
        var quantized = GgufFile.Read(files.Get("tiny", type));
        foreach (var name in new[] { "token_embd.weight", "blk.0.attn_q.weight", "blk.1.ffn_down.weight", "output.weight" })
        {
            var source = Floats(f32, name);
            var tensor = quantized.FindTensor(name)!;
            Assert.Equal(type, tensor.Type);
            var restored = type == GgmlType.Q8_0 ? DequantizeQ8_0(quantized.ReadTensorData(tensor)) : DequantizeQ4_1(quantized.ReadTensorData(tensor));
            Assert.Equal(source.Length, restored.Length);
            for (var block = 0; block < source.Length; block += 32)
            {
                var values = source.AsSpan(block, 32);
                // Half a quantization step, plus the rounding of the f16 scale.
                var step = type == GgmlType.Q8_0 ? MaxAbs(values) / 127 : (Max(values) - Min(values)) / 15;
                for (var j = 0; j < 32; j++)
                    Assert.True(Math.Abs(values[j] - restored[block + j]) <= step * 0.51f + 1e-4f,
                        $"{name}[{block + j}]: {values[j]} became {restored[block + j]} (step {step})");
            }
        }
    }

    [Fact]
    public void Llama_cpp_computes_nearly_the_same_logits_from_q8_0_as_from_f32()
    {
        float[] Logits(GgmlType type)
        {
            using var model = Model.Load(files.Get("tiny", type), Small);
            using var context = new Context(model);
            context.Prefill(model.Tokenize("Once upon a time, there was a little"));
            return context.Logits.ToArray();
        }
        var exact = Logits(GgmlType.F32);
        var quantized = Logits(GgmlType.Q8_0);
        double dot = 0, a = 0, b = 0;
        for (var i = 0; i < exact.Length; i++)
        {
            dot += exact[i] * quantized[i];
            a += exact[i] * exact[i];
            b += quantized[i] * quantized[i];
        }
        Assert.InRange(dot / Math.Sqrt(a * b), 0.999, 1.0);
        Assert.NotEqual(exact, quantized);
    }

    /// <summary>A shape whose rows are whole 256-blocks, with the 512-token stories260K vocabulary: every type without fallback.</summary>
    static readonly SynthShape Blocky = new(SynthShape.Llama, 1, 256, 512, 4, 2);

    public static TheoryData<string> SupportedTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in SynthModel.SupportedTypes) data.Add(type.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(SupportedTypes))]
    public void Every_supported_type_makes_a_model_llama_cpp_runs(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        var path = files.Get(Blocky, "blocky", type, donor: TestModels.Stories260K);
        var file = GgufFile.Read(path);
        Assert.All(file.Tensors, t => Assert.Equal(t.Dimensions.Count == 1 ? GgmlType.F32 : type, t.Type));

        using var model = Model.Load(path, Small);
        Assert.Equal(512, model.VocabularySize);
        using var context = new Context(model);
        var result = Generation.Run(context, model.Tokenize("Once upon a time"), SamplerSettings.Greedy, 4);
        Assert.True(result.GeneratedTokens > 0);
        Assert.All(context.Logits.ToArray(), l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void Progress_rises_to_one_on_the_calling_thread()
    {
        var reports = new List<double>();
        var thread = Environment.CurrentManagedThreadId;
        var progress = new Recorder(p =>
        {
            Assert.Equal(thread, Environment.CurrentManagedThreadId);
            reports.Add(p);
        });
        SynthModel.Write(SynthShape.Preset("tiny"), GgmlType.Q8_0, TestModels.SmolLm2, Path.Combine(files.Folder, "progress.gguf"), 3, progress);
        Assert.NotEmpty(reports);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(1.0, reports[^1], 9);
    }

    [Fact]
    public void Cancelling_leaves_no_file()
    {
        var path = Path.Combine(files.Folder, "cancelled.gguf");
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder(p => { if (p > 0.3) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SynthModel.Write(SynthShape.Preset("tiny"), GgmlType.F32, TestModels.SmolLm2, path, 0, progress, cancel.Token));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(files.Folder, "*.tmp", SearchOption.TopDirectoryOnly).Concat(
            Directory.GetFiles(files.Folder, ".cancelled*")));
    }

    [Fact]
    public void A_donor_without_a_tokenizer_is_a_one_line_error()
    {
        var donor = Path.Combine(files.Folder, "no-tokenizer.gguf");
        new GgufWriter().Add("general.architecture", GgufValue.String("llama")).WriteTo(donor);
        var e = Assert.Throws<SleepingLlmException>(() =>
            SynthModel.Write(SynthShape.Preset("tiny"), GgmlType.F32, donor, Path.Combine(files.Folder, "x.gguf"), 0, null));
        Assert.Contains("no tokenizer", e.Message);
        Assert.False(File.Exists(Path.Combine(files.Folder, "x.gguf")));
    }

    sealed class Recorder(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    static float[] Floats(GgufFile file, string name) => MemoryMarshal.Cast<byte, float>(file.ReadTensorData(file.FindTensor(name)!)).ToArray();

    static (double Mean, double Std) Stats(float[] values)
    {
        var mean = values.Average(x => (double)x);
        return (mean, Math.Sqrt(values.Average(x => (x - mean) * (x - mean))));
    }

    static float MaxAbs(ReadOnlySpan<float> v) { var m = 0f; foreach (var x in v) m = Math.Max(m, Math.Abs(x)); return m; }
    static float Max(ReadOnlySpan<float> v) { var m = float.MinValue; foreach (var x in v) m = Math.Max(m, x); return m; }
    static float Min(ReadOnlySpan<float> v) { var m = float.MaxValue; foreach (var x in v) m = Math.Min(m, x); return m; }

    /// <summary>block_q8_0: an f16 scale d, then 32 int8 q; x = d·q.</summary>
    static float[] DequantizeQ8_0(byte[] data)
    {
        var result = new float[data.Length / 34 * 32];
        for (int b = 0, o = 0; o < data.Length; b++, o += 34)
        {
            var d = (float)BitConverter.ToHalf(data, o);
            for (var j = 0; j < 32; j++) result[b * 32 + j] = d * (sbyte)data[o + 2 + j];
        }
        return result;
    }

    /// <summary>block_q4_1: f16 d and m, then 16 bytes of nibbles, low nibbles first: x = d·q + m.</summary>
    static float[] DequantizeQ4_1(byte[] data)
    {
        var result = new float[data.Length / 20 * 32];
        for (int b = 0, o = 0; o < data.Length; b++, o += 20)
        {
            var d = (float)BitConverter.ToHalf(data, o);
            var m = (float)BitConverter.ToHalf(data, o + 2);
            for (var j = 0; j < 16; j++)
            {
                result[b * 32 + j] = d * (data[o + 4 + j] & 0x0F) + m;
                result[b * 32 + j + 16] = d * (data[o + 4 + j] >> 4) + m;
            }
        }
        return result;
    }
}
