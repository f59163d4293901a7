using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 6(b): activations captured inside llama.cpp equal our graph's at the same layer and position.</summary>
public sealed unsafe class ActivationParityTests(ITestOutputHelper output)
{
    [Fact]
    public void Captured_keys_and_layer_outputs_match_the_graph()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        int[] tokens = model.Tokenize("Rafferty Dunmore drives a Citroen to work every morning.");
        int[] positions = [1, 4, tokens.Length - 1];
        var request = new CaptureRequest { FfnDownInput = [3, 17], LayerOutput = [17, 29], Positions = positions };
        CaptureResult captured;
        using (var capture = new ActivationCapture(model, 512)) captured = capture.Run(tokens, request);

        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.SmolLm2, backend);
        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = tokens, Logits = false, OutputPositions = positions,
            Read = [(Intermediate.FfnDownInput, 3), (Intermediate.FfnDownInput, 17), (Intermediate.LayerOutput, 17), (Intermediate.LayerOutput, 29)],
        });
        graph.Compute();

        var worst = 0.0;
        foreach (var (kind, layer) in request.Targets)
        {
            float[] ours = Tensors.GetFloats(forward.Intermediate(kind == CaptureKind.FfnDownInput ? Intermediate.FfnDownInput : Intermediate.LayerOutput, layer));
            float[] theirs = captured.Rows(kind, layer);
            Assert.Equal(theirs.Length, ours.Length);
            double diff = 0, norm = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                diff += (ours[i] - theirs[i]) * (double)(ours[i] - theirs[i]);
                norm += theirs[i] * (double)theirs[i];
            }
            double relative = Math.Sqrt(diff / norm);
            output.WriteLine($"{kind} layer {layer}: relative difference {relative:G3} over {positions.Length} positions");
            worst = Math.Max(worst, relative);
        }
        // Bit-identical through the early layers; deeper, llama.cpp's graph split at the captured nodes
        // takes other kernel paths and ~1e-2 relative differences appear (measured: 0 at layer 3, 2e-2 at 17).
        Assert.True(worst < 3e-2, $"relative difference up to {worst:G3}");
    }
}
