using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Native;
using SleepingLlm.Synth;

namespace SleepingLlm.Tests.Synth;

/// <summary>What a synthetic model will hold, planned without writing it; shapes and types that are refused.</summary>
public sealed class SynthPlanTests
{
    const int SmolVocab = 49152;

    [Fact]
    public void Llama_3_2_3b_at_q4_K_has_the_tensors_and_bytes_of_its_shape()
    {
        var plan = SynthModel.Plan(SynthShape.Preset("llama-3.2-3b"), GgmlType.Q4_K, SmolVocab);
        // token_embd, output_norm, and per layer 2 norms and 7 matrices; tied, so no output.weight.
        Assert.Equal(2 + 28 * 9, plan.Tensors.Count);
        Assert.Null(plan.Tensors.FirstOrDefault(t => t.Name == "output.weight"));
        Assert.Equal(new Dictionary<string, int> { ["f32"] = 57, ["q4_K"] = 197 }, plan.TypeCounts);

        long embd = 3072, kv = 8 * 128, ff = 8192;
        long matrices = embd * SmolVocab + 28 * (2 * embd * embd + 2 * embd * kv + 3 * embd * ff);
        long norms = 28 * 2 * embd + embd;
        Assert.Equal(matrices + norms, plan.ParameterCount);
        Assert.Equal(matrices / 256 * 144 + norms * 4, plan.TensorBytes);
        Assert.Equal(1_671_081_984, plan.TensorBytes);
        Assert.Equal(plan.TensorBytes, plan.DataSectionBytes()); // every size is already a multiple of 32

        var q = plan.Tensors.Single(t => t.Name == "blk.27.attn_q.weight");
        Assert.Equal([3072L, 3072L], q.Dimensions);
        Assert.Equal([3072L, 1024L], plan.Tensors.Single(t => t.Name == "blk.0.attn_k.weight").Dimensions);
        Assert.Equal([8192L, 3072L], plan.Tensors.Single(t => t.Name == "blk.0.ffn_down.weight").Dimensions);
        Assert.Equal([3072L, (long)SmolVocab], plan.Tensors[0].Dimensions);
    }

    [Fact]
    public void Llama_3_1_8b_is_untied_and_has_an_output_projection()
    {
        var plan = SynthModel.Plan(SynthShape.Preset("llama-3.1-8b"), GgmlType.F16, 128256);
        Assert.Equal(3 + 32 * 9, plan.Tensors.Count);
        Assert.Equal([4096L, 128256L], plan.Tensors.Single(t => t.Name == "output.weight").Dimensions);
        Assert.Equal([4096L, 14336L], plan.Tensors.Single(t => t.Name == "blk.31.ffn_up.weight").Dimensions);
        // Llama 3.1 8B: 8.03 billion parameters.
        Assert.Equal(8_030_261_248, plan.ParameterCount);
    }

    [Fact]
    public void The_smollm2_preset_has_the_tensors_of_the_real_SmolLM2()
    {
        var real = GgufFile.Read(TestModels.SmolLm2);
        var plan = SynthModel.Plan(SynthShape.Preset("smollm2-135m"), GgmlType.Q8_0, SmolVocab);
        Assert.Equal(
            real.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions))).Order(),
            plan.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions))).Order());
        Assert.Equal(real.Tensors.Sum(t => t.ElementCount), plan.ParameterCount);
        Assert.Equal(real.GetFloat("llama.rope.freq_base"), plan.Shape.RopeFreqBase);
        Assert.Equal(real.GetInt32("llama.context_length"), plan.Shape.ContextLength);
    }

    [Fact]
    public void Rows_that_are_not_whole_blocks_fall_back_as_llama_quantize_does()
    {
        var plan = SynthModel.Plan(SynthShape.Preset("smollm2-135m"), GgmlType.Q4_K, SmolVocab);
        // 576 is not a multiple of 256; 1536 (ffn_down's rows) is.
        Assert.Equal(GgmlType.Q5_0, plan.Tensors.Single(t => t.Name == "blk.0.attn_q.weight").Type);
        Assert.Equal(GgmlType.Q4_K, plan.Tensors.Single(t => t.Name == "blk.0.ffn_down.weight").Type);

        Assert.Equal(GgmlType.Q5_1, SynthModel.StorageType(GgmlType.Q5_K, 576));
        Assert.Equal(GgmlType.Q8_0, SynthModel.StorageType(GgmlType.Q6_K, 576));
        Assert.Equal(GgmlType.IQ4_NL, SynthModel.StorageType(GgmlType.IQ4_XS, 576));
        Assert.Equal(GgmlType.Q4_0, SynthModel.StorageType(GgmlType.Q3_K, 64));
        Assert.Equal(GgmlType.F16, SynthModel.StorageType(GgmlType.Q4_K, 48));
        Assert.Equal(GgmlType.F16, SynthModel.StorageType(GgmlType.Q8_0, 48));
        Assert.Equal(GgmlType.BF16, SynthModel.StorageType(GgmlType.BF16, 48));
    }

    [Fact]
    public void Every_preset_is_valid_and_its_head_dimension_is_whole()
    {
        foreach (var (name, shape) in SynthShape.Presets)
        {
            shape.Validate();
            Assert.Equal(shape.EmbeddingLength, shape.HeadDimension * shape.HeadCount);
            Assert.Equal(shape, SynthShape.Preset(name.ToUpperInvariant()));
        }
        Assert.Equal(128, SynthShape.Preset("llama-3.2-3b").HeadDimension);
        Assert.Equal(64, SynthShape.Preset("smollm2-135m").HeadDimension);
    }

    public static TheoryData<SynthShape, string> BadShapes => new()
    {
        { new SynthShape("gpt2", 2, 64, 128, 4, 2), "architecture" },
        { new SynthShape("llama", 0, 64, 128, 4, 2), "layers" },
        { new SynthShape("llama", 2, 64, 128, 4, 3), "kv heads" },
        { new SynthShape("llama", 2, 60, 128, 8, 2), "multiple of heads" },
        { new SynthShape("llama", 2, 66, 128, 6, 2), "even" },
        { new SynthShape("llama", 2, 64, 0, 4, 2), "n_ff" },
        { new SynthShape("llama", 2, 64, 128, 4, 2) { RopeFreqBase = 0 }, "rope" },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Invalid_shapes_are_refused_with_the_reason(SynthShape shape, string reason)
    {
        var e = Assert.Throws<SleepingLlmException>(() => SynthModel.Plan(shape, GgmlType.F32, 512));
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Unknown_presets_list_the_known_ones()
    {
        var e = Assert.Throws<SleepingLlmException>(() => SynthShape.Preset("llama-99b"));
        Assert.Contains("llama-3.2-3b", e.Message);
    }

    [Fact]
    public void Types_that_need_an_importance_matrix_or_cannot_be_quantized_to_are_refused()
    {
        foreach (var type in new[] { GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ1_S })
            Assert.Contains("importance matrix", Assert.Throws<SleepingLlmException>(() => SynthModel.Plan(SynthShape.Preset("tiny"), type, 512)).Message);
        foreach (var type in new[] { GgmlType.Q8_K, GgmlType.Q8_1, GgmlType.I32 })
            Assert.Contains("cannot write", Assert.Throws<SleepingLlmException>(() => SynthModel.Plan(SynthShape.Preset("tiny"), type, 512)).Message);
    }

    [Fact]
    public void Ggml_agrees_on_which_types_need_an_importance_matrix()
    {
        Runtime.Initialize();
        foreach (var type in SynthModel.SupportedTypes)
            Assert.False(Ggml.ggml_quantize_requires_imatrix((int)type), type.Name());
        foreach (var type in new[] { GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ1_S })
            Assert.True(Ggml.ggml_quantize_requires_imatrix((int)type), type.Name());
    }

    [Fact]
    public unsafe void Ggml_quantizes_rows_to_the_sizes_our_type_table_gives()
    {
        Runtime.Initialize();
        var source = new float[2 * 256];
        for (var i = 0; i < source.Length; i++) source[i] = MathF.Sin(i) * 0.05f;
        foreach (var type in SynthModel.SupportedTypes)
        {
            var dst = new byte[type.TryGetByteSize(source.Length)!.Value];
            fixed (float* s = source)
            fixed (byte* d = dst)
                Assert.Equal((nuint)dst.Length, Ggml.ggml_quantize_chunk((int)type, s, d, 0, 2, 256, null));
            Assert.Contains(dst, b => b != 0);
        }
    }
}
