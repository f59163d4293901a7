using System.Diagnostics;
using SleepingLlm.Kernels;

namespace SleepingLlm.Inference;

/// <summary>Medians (ms) of the kernel graph against llama.cpp on one sequence.</summary>
public sealed record GraphBenchmarkResult(string Backend, int Tokens, int FirstTailLayer, int LayerCount, int Runs,
    double LlamaCppForwardMs, double GraphForwardMs, Tail Quantized, Tail? F32)
{
    /// <summary>Our full forward over llama.cpp's (target ≤ 1.5).</summary>
    public double ForwardRatio => GraphForwardMs / LlamaCppForwardMs;
}

/// <summary>The tail's forward and forward+backward, with its weights as stored or widened to F32 (where that fits <see cref="ModelWeights.WideningBudget"/>).</summary>
public sealed record Tail(double ForwardMs, double ForwardBackwardMs)
{
    /// <summary>Forward+backward over forward (target ≤ 4).</summary>
    public double BackwardRatio => ForwardBackwardMs / ForwardMs;
}

/// <summary>
/// `bench graph`: a WikiText sequence through (1) llama.cpp, all logits, (2) our whole graph, (3) our
/// graph over the last two thirds of the layers from a captured residual stream, and (4) the same
/// with a trainable δ at the first tail layer and backward of the next-token NLL — the shape of
/// MEMIT's value optimisation.
/// </summary>
public static unsafe class GraphBenchmark
{
    public static GraphBenchmarkResult Run(Model model, string text, int tokenCount, int runs, int threads = 0)
    {
        int[] tokens = model.Tokenize(text)[..tokenCount];
        using var backend = Backend.Cpu(threads);
        double llama;
        using (var scorer = new Scorer(model, tokenCount)) llama = Median(runs, () => scorer.Logits(tokens));

        // The weights where llama.cpp serves them, as wake and sleep read them.
        using var weights = ModelWeights.Load(model.Path, backend, served: ServedWeights.Of(model));
        int first = weights.Hparams.LayerCount / 3;
        using var full = new ComputeGraph(backend);
        var fullForward = TransformerGraph.Build(full, weights, new Forward { Tokens = tokens, Read = [(Intermediate.LayerOutput, first - 1)] });
        double forward = Median(runs, full.Compute);
        float[] residual = Tensors.GetFloats(fullForward.Intermediate(Intermediate.LayerOutput, first - 1));

        var quantized = MeasureTail(weights, backend, tokens, first, residual, runs);
        // Backward through quantized weights re-dequantizes each weight per token (ggml's out_prod);
        // widening the trained tail to F32 trades memory for that time.
        Tail? f32 = null;
        if (ModelWeights.F32Bytes(model.Path, first, head: false) <= ModelWeights.WideningBudget)
        {
            using var widened = ModelWeights.Load(model.Path, backend, f32FromLayer: first, served: ServedWeights.Of(model));
            f32 = MeasureTail(widened, backend, tokens, first, residual, runs);
        }
        return new GraphBenchmarkResult(backend.Name, tokenCount, first, weights.Hparams.LayerCount, runs, llama, forward, quantized, f32);
    }

    static Tail MeasureTail(ModelWeights weights, Backend backend, int[] tokens, int first, float[] residual, int runs)
    {
        using var tail = new ComputeGraph(backend);
        TransformerGraph.Build(tail, weights, new Forward { Tokens = tokens, FirstLayer = first, Residual = residual });
        double forward = Median(runs, tail.Compute);

        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", weights.Hparams.EmbeddingLength);
        parameters.Allocate();
        Tensors.Set<float>(delta, new float[weights.Hparams.EmbeddingLength]);
        using var train = new ComputeGraph(backend);
        var trained = TransformerGraph.Build(train, weights, new Forward
        {
            Tokens = tokens, FirstLayer = first, Residual = residual,
            OutputPositions = [.. Enumerable.Range(0, tokens.Length - 1)],
            Delta = new ValueDelta(first, [.. Enumerable.Range(0, tokens.Length)], delta),
        });
        train.Minimise(Losses.Nll(train, trained.Logits, tokens[1..]));
        return new Tail(forward, Median(runs, train.Compute));
    }

    /// <summary>Median milliseconds of <paramref name="runs"/> timed calls after one warm-up call.</summary>
    static double Median(int runs, Action action)
    {
        action();
        var samples = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Benchmark.Median(samples);
    }

    static double Median(int runs, Func<float[]> action) => Median(runs, () => { action(); });
}
