using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Native;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Capture;

/// <summary>Activations read out of llama.cpp's forward pass through the eval callback, and their second moments.</summary>
[Collection(ModelCompute.Name)]
public sealed class ActivationCaptureTests(ITestOutputHelper output)
{
    const string Prompt = "The capital of France is Paris, and the capital of Italy is Rome.";

    [Fact]
    public unsafe void MulMat_op_code_matches_the_pinned_ggml()
    {
        Runtime.Initialize();
        Assert.Equal("MUL_MAT", NativeRuntime.Utf8(Ggml.ggml_op_name(Ggml.OpMulMat)));
    }

    [Fact]
    public void Shapes_and_positions_on_SmolLM2()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var capture = new ActivationCapture(model, 64);
        int[] tokens = model.Tokenize(Prompt)[..10];
        var result = capture.Run(tokens, new CaptureRequest { FfnDownInput = [3, 17], LayerOutput = [17, 29] });

        Assert.Equal(10, result.TokenCount);
        Assert.Equal(Enumerable.Range(0, 10), result.Positions);
        Assert.Equal(1536, capture.FeedForwardLength);
        Assert.Equal(4, result.Targets.Count());
        foreach (var (kind, layer, dim) in new[] { (CaptureKind.FfnDownInput, 3, 1536), (CaptureKind.FfnDownInput, 17, 1536),
                     (CaptureKind.LayerOutput, 17, 576), (CaptureKind.LayerOutput, 29, 576) })
        {
            Assert.Equal(dim, result.Dimension(kind, layer));
            Assert.Equal(10 * dim, result.Rows(kind, layer).Length);
            for (int i = 0; i < 10; i++)
            {
                var row = result.Get(kind, layer, i);
                Assert.Equal(dim, row.Length);
                Assert.All(row.ToArray(), v => Assert.True(float.IsFinite(v)));
                Assert.Contains(row.ToArray(), v => v != 0);
            }
        }
        Assert.False(result.Contains(CaptureKind.FfnDownInput, 29));
        Assert.Throws<KeyNotFoundException>(() => result.Rows(CaptureKind.LayerOutput, 3));
        Assert.Equal(model.VocabularySize, result.LastLogits.Length);

        // Answering the callback splits the graph but changes no number.
        AssertClose(capture.Run(tokens, new CaptureRequest()).LastLogits, result.LastLogits, 0, "logits without capture");
        // The chat's context computes exactly what the capture (and so the covariance and keys) saw:
        // an F16 cache or flash attention would move the logits by ~5% of their range, on any CPU.
        using var context = new Context(model);
        context.Prefill(tokens);
        AssertClose(context.Logits, result.LastLogits, 0, "logits of a normal context");
    }

    [Fact]
    public void Last_layer_output_through_the_final_norm_and_head_gives_the_logits()
    {
        string path = TestModels.Stories260K;
        using var model = Model.Load(path);
        using var capture = new ActivationCapture(model, 64);
        int[] tokens = model.Tokenize("Once upon a time, there was a little girl");
        int last = model.LayerCount - 1;
        var result = capture.Run(tokens, new CaptureRequest { LayerOutput = [last] });

        var gguf = GgufFile.Read(path);
        float[] norm = Floats(gguf, "output_norm.weight");
        float[] head = Floats(gguf, gguf.FindTensor("output.weight") is null ? "token_embd.weight" : "output.weight");
        float eps = gguf.GetFloat("llama.attention.layer_norm_rms_epsilon");
        var x = result.Get(CaptureKind.LayerOutput, last, tokens.Length - 1);
        int d = x.Length;
        Assert.Equal(model.EmbeddingLength, d);

        double meanSquare = 0;
        foreach (float v in x) meanSquare += (double)v * v;
        double scale = 1 / Math.Sqrt(meanSquare / d + eps);
        var y = new double[d];
        for (int k = 0; k < d; k++) y[k] = x[k] * scale * norm[k];
        var logits = new float[model.VocabularySize];
        for (int v = 0; v < logits.Length; v++)
        {
            double sum = 0;
            for (int k = 0; k < d; k++) sum += head[v * d + k] * y[k];
            logits[v] = (float)sum;
        }

        using var context = new Context(model);
        context.Prefill(tokens);
        AssertClose(context.Logits, logits, 1e-3, "logits from the captured l_out");
        AssertClose(context.Logits, result.LastLogits, 1e-3, "capture logits");
        AssertClose(result.LastLogits, logits, 1e-4, "logits from the captured l_out against the capture's own");
    }

    [Fact]
    public void Captures_are_causal_and_a_position_subset_is_the_same_rows()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var capture = new ActivationCapture(model, 64);
        int[] tokens = model.Tokenize(Prompt);
        int last = model.LayerCount - 1;
        var request = new CaptureRequest { FfnDownInput = [2, last], LayerOutput = [last] };
        var all = capture.Run(tokens, request);
        var subset = capture.Run(tokens, request with { Positions = [5, 2] });
        const int k = 7;
        var prefix = capture.Run(tokens.AsSpan(0, k), request);

        Assert.Equal([5, 2], subset.Positions);
        foreach (var (kind, layer) in request.Targets)
        {
            AssertClose(all.Get(kind, layer, 5), subset.Get(kind, layer, 0), 1e-4, $"{kind} {layer} position 5");
            AssertClose(all.Get(kind, layer, 2), subset.Get(kind, layer, 1), 1e-4, $"{kind} {layer} position 2");
            for (int i = 0; i < k; i++)
                AssertClose(all.Get(kind, layer, i), prefix.Get(kind, layer, i), 1e-4, $"{kind} {layer} prefix position {i}");
        }
    }

    [Fact]
    public void Second_moments_equal_a_naive_double_loop()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var capture = new ActivationCapture(model, 64);
        int[] first = model.Tokenize("Once upon a time, there was a little girl named Lily.");
        int[] second = model.Tokenize("She liked to play in the park with her dog.");
        var sums = capture.CreateSums(CaptureKind.FfnDownInput, 1, 2);
        Assert.Equal(172, sums.Dimension);
        float[] logits = capture.Run(first, CaptureRequest.For(CaptureKind.LayerOutput, [0])).LastLogits;
        // Accumulating stops the graph after layer 2: the runs after it still compute the whole model.
        capture.Accumulate(first, sums);
        capture.Accumulate(second, sums, positions: [1, 3, 5]);
        Assert.Equal(logits, capture.Run(first, CaptureRequest.For(CaptureKind.LayerOutput, [0])).LastLogits);

        var a = capture.Run(first, CaptureRequest.For(CaptureKind.FfnDownInput, [1, 2]));
        var b = capture.Run(second, CaptureRequest.For(CaptureKind.FfnDownInput, [1, 2], [1, 3, 5]));
        foreach (int layer in new[] { 1, 2 })
        {
            var rows = a.Rows(CaptureKind.FfnDownInput, layer).Concat(b.Rows(CaptureKind.FfnDownInput, layer)).ToArray();
            Assert.Equal(first.Length + 3, sums.Count(layer));
            AssertMoments(Naive(rows, 172), sums.SecondMoment(layer), 172);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Second_moment_kernels_handle_chunks_and_padding(bool portable, bool float32)
    {
        const int d = 77, n = 600;
        var random = new Random(3);
        var rows = new float[n * d];
        for (int i = 0; i < rows.Length; i++) rows[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i % d);
        CaptureSums.ForcePortableKernel = portable;
        CaptureSums.ForceFloat32 = float32;
        CaptureSums sums;
        try
        {
            sums = new CaptureSums(CaptureKind.FfnDownInput, d, 0);
            sums.Add(0, rows.AsSpan(0, 100 * d));
            sums.Add(0, rows.AsSpan(100 * d));
        }
        finally
        {
            CaptureSums.ForcePortableKernel = false;
            CaptureSums.ForceFloat32 = false;
        }
        Assert.Equal(!float32, sums.IsFloat64);
        Assert.Equal(n, sums.Count(0));
        AssertMoments(Naive(rows, d), sums.SecondMoment(0), d);
    }

    [Fact]
    public void A_layer_out_of_range_is_a_clear_error()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var capture = new ActivationCapture(model, 16);
        int[] tokens = model.Tokenize("Once upon a time");
        var e = Assert.Throws<SleepingLlmException>(() => capture.Run(tokens, new CaptureRequest { LayerOutput = [99] }));
        Assert.Contains("layer 99", e.Message);
        Assert.Contains("5 layers", e.Message);
        Assert.Throws<SleepingLlmException>(() => capture.Run(tokens, new CaptureRequest { LayerOutput = [1], Positions = [tokens.Length] }));
        Assert.Throws<SleepingLlmException>(() => capture.Run(new int[17], new CaptureRequest { LayerOutput = [1] }));
    }

    [Fact]
    public void An_exception_inside_the_callback_surfaces_after_decode_and_the_capture_still_works()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var capture = new ActivationCapture(model, 16);
        int[] tokens = model.Tokenize("Once upon a time");
        var request = new CaptureRequest { FfnDownInput = [2], LayerOutput = [3] };
        var before = capture.Run(tokens, request);

        capture.BeforeCopy = (kind, layer) =>
        {
            if (kind == CaptureKind.LayerOutput) throw new InvalidOperationException($"injected at {layer}");
        };
        var e = Assert.Throws<SleepingLlmException>(() => capture.Run(tokens, request));
        Assert.Contains("injected at 3", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);

        capture.BeforeCopy = null;
        var after = capture.Run(tokens, request);
        AssertClose(before.Rows(CaptureKind.LayerOutput, 3), after.Rows(CaptureKind.LayerOutput, 3), 0, "after the failure");
    }

    static float[] Floats(GgufFile file, string name)
    {
        var tensor = file.FindTensor(name) ?? throw new InvalidOperationException($"no {name}");
        Assert.Equal(GgmlType.F32, tensor.Type);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.ReadTensorData(tensor)).ToArray();
    }

    static double[] Naive(float[] rows, int d)
    {
        int n = rows.Length / d;
        var m = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int t = 0; t < n; t++) s += (double)rows[t * d + i] * rows[t * d + j];
                m[i * d + j] = s;
            }
        return m;
    }

    static void AssertMoments(double[] expected, double[] actual, int d)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                // Relative to the Cauchy-Schwarz bound of the entry.
                double bound = Math.Sqrt(expected[i * d + i] * expected[j * d + j]);
                double error = Math.Abs(expected[i * d + j] - actual[i * d + j]);
                Assert.True(error <= 1e-5 * bound + 1e-12, $"[{i},{j}]: {actual[i * d + j]} vs {expected[i * d + j]}");
            }
    }

    void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        output.WriteLine($"{what}: max |diff| {worst:g3}, max |expected| {scale:g3}");
        Assert.True(worst <= relative * scale, $"{what}: max |diff| {worst:g3} > {relative} × {scale:g3}");
    }
}
