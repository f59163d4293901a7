using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Tests.Kernels;

/// <summary>The kernel graph reads the weights where llama.cpp serves them: one copy in memory, the same logits.</summary>
[Collection(ModelCompute.Name)]
public sealed unsafe class ServedWeightsTests
{
    [Fact]
    public void Every_weight_is_found_in_llama_cpps_map_and_the_graph_reads_it_there_with_the_same_logits()
    {
        string path = TestModels.SmolLm2;
        using var model = Model.Load(path);
        var served = ServedWeights.Of(model);
        using var backend = Backend.Cpu();
        using var own = ModelWeights.Load(path, backend);
        using var shared = ModelWeights.Load(path, backend, served: served);

        // 30 layers × 9 tensors, the embedding and the output norm: all of them in llama.cpp's map.
        Assert.Equal(30 * 9 + 2, served.Count);
        Assert.Equal((nint)shared.Get("blk.3.ffn_down.weight")->Data, served["blk.3.ffn_down.weight"]);
        Assert.Equal(0, shared.WidenedBytes);
        int[] tokens = model.Tokenize("The capital of France is");
        Assert.Equal(Logits(own, backend, tokens), Logits(shared, backend, tokens));
    }

    [Fact]
    public void A_small_models_tail_is_widened_to_F32_within_the_budget_and_still_reads_the_rest_in_place()
    {
        string path = TestModels.SmolLm2;
        using var model = Model.Load(path);
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.LoadForBackward(path, backend, 9, served: ServedWeights.Of(model));
        Assert.InRange(weights.WidenedBytes, 1, ModelWeights.WideningBudget);
        Assert.Equal(weights.WidenedBytes, ModelWeights.F32Bytes(path, 9, head: false));
        Assert.Equal((nint)weights.Get("blk.3.ffn_down.weight")->Data, ServedWeights.Of(model)["blk.3.ffn_down.weight"]);
    }

    static float[] Logits(ModelWeights weights, Backend backend, int[] tokens)
    {
        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward { Tokens = tokens });
        graph.Compute();
        return Tensors.GetFloats(forward.Logits);
    }
}
