using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// One ggml compute graph: its tensors' metadata, inputs written after allocation, outputs, and
/// (optionally) the backward pass. Built once, computed any number of times; parameters live
/// outside it (<see cref="ParameterSet"/>) so an optimiser can update them between computes.
/// </summary>
public sealed unsafe class ComputeGraph : IDisposable
{
    readonly GgmlContext context;
    readonly Backend backend;
    readonly nint graph;
    readonly List<Action> inputs = [];
    nint allocator;
    bool backward;

    /// <param name="maxNodes">Tensors and nodes the graph may hold, backward included (a training graph of
    /// several sequences needs far more than one forward).</param>
    public ComputeGraph(Backend backend, int maxNodes = 16384)
    {
        this.backend = backend;
        context = new GgmlContext(maxNodes, maxNodes);
        graph = Ggml.ggml_new_graph_custom(context.Handle, (nuint)maxNodes, grads: true);
    }

    public nint Ctx => context.Handle;
    public Backend Backend => backend;
    public int NodeCount => Ggml.ggml_graph_n_nodes(graph);

    public GgmlTensor* Input(int[] values, string name)
    {
        var t = context.NewTensor(Ggml.TypeI32, values.Length, name: name);
        Ggml.ggml_set_input(t);
        inputs.Add(() => Tensors.Set<int>(t, values));
        return t;
    }

    public GgmlTensor* Input(float[] values, long ne0, long ne1, string name)
    {
        if (values.Length != ne0 * ne1) throw new ArgumentException($"{name}: {values.Length} values for [{ne0}, {ne1}]");
        var t = context.NewTensor(Ggml.TypeF32, ne0, ne1, name);
        Ggml.ggml_set_input(t);
        inputs.Add(() => Tensors.Set<float>(t, values));
        return t;
    }

    /// <summary>Keeps <paramref name="tensor"/> readable after compute.</summary>
    public GgmlTensor* Output(GgmlTensor* tensor)
    {
        Ggml.ggml_set_output(tensor);
        Ggml.ggml_build_forward_expand(graph, tensor);
        return tensor;
    }

    /// <summary>Adds the backward pass for a scalar loss; gradients of every trainable parameter follow.</summary>
    public void Minimise(GgmlTensor* loss)
    {
        Output(loss);
        Ggml.ggml_set_loss(loss);
        Ggml.ggml_build_backward_expand(context.Handle, graph, null);
        backward = true;
    }

    public void Compute()
    {
        if (allocator == 0)
        {
            allocator = Ggml.ggml_gallocr_new(Ggml.ggml_backend_get_default_buffer_type(backend.Handle));
            if (!Ggml.ggml_gallocr_alloc_graph(allocator, graph))
                throw new SleepingLlmException($"cannot allocate a graph of {NodeCount} nodes on {backend.Name}");
        }
        foreach (var write in inputs) write();
        // Seeds d(loss)=1 and zeroes the gradient accumulators; they share the compute buffer, so every time.
        if (backward) Ggml.ggml_graph_reset(graph);
        int status = Ggml.ggml_backend_graph_compute(backend.Handle, graph);
        if (status != Ggml.StatusSuccess) throw new SleepingLlmException($"ggml graph compute failed on {backend.Name} (status {status})");
    }

    /// <summary>The gradient of the loss with respect to a trainable tensor (after <see cref="Compute"/>).</summary>
    public GgmlTensor* Gradient(GgmlTensor* parameter) =>
        Ggml.ggml_graph_get_grad(graph, parameter) is var g && g != null
            ? g : throw new InvalidOperationException($"{parameter->NameString} has no gradient in this graph");

    public void Dispose()
    {
        if (allocator != 0) Ggml.ggml_gallocr_free(allocator);
        allocator = 0;
        context.Dispose();
    }
}
