using System.Numerics.Tensors;
using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// Adam(W) over parameter tensors, in managed code on the gradients ggml computed: the parameters
/// are small (a vector, LoRA factors) next to the forward and backward passes, and the update then
/// works on every backend alike (ggml's own AdamW op exists only for F32 on some backends).
/// </summary>
public sealed unsafe class Adam(float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
{
    readonly Dictionary<nint, (float[] M, float[] V)> moments = [];
    int step;

    public float LearningRate { get; set; } = learningRate;

    /// <summary>One update of every parameter from its gradient in <paramref name="graph"/>.</summary>
    public void Step(ComputeGraph graph, params ReadOnlySpan<nint> parameters)
    {
        step++;
        foreach (nint p in parameters) Update((GgmlTensor*)p, Tensors.GetFloats(graph.Gradient((GgmlTensor*)p)));
    }

    void Update(GgmlTensor* tensor, float[] g)
    {
        float correction1 = 1f - MathF.Pow(beta1, step), correction2 = 1f - MathF.Pow(beta2, step);
        float[] w = Tensors.GetFloats(tensor);
        if (!moments.TryGetValue((nint)tensor, out var mv)) moments[(nint)tensor] = mv = (new float[w.Length], new float[w.Length]);
        for (int i = 0; i < w.Length; i++)
        {
            mv.M[i] = beta1 * mv.M[i] + (1 - beta1) * g[i];
            mv.V[i] = beta2 * mv.V[i] + (1 - beta2) * g[i] * g[i];
            float update = mv.M[i] / correction1 / (MathF.Sqrt(mv.V[i] / correction2) + epsilon);
            w[i] -= LearningRate * (update + weightDecay * w[i]);
        }
        Tensors.Set<float>(tensor, w);
    }

    /// <summary>Scales <paramref name="vector"/> down so its norm is at most <paramref name="maxNorm"/> (MEMIT's clamp).</summary>
    public static void ClampNorm(GgmlTensor* vector, float maxNorm)
    {
        float[] v = Tensors.GetFloats(vector);
        float norm = TensorPrimitives.Norm(v);
        if (norm <= maxNorm) return;
        TensorPrimitives.Multiply(v, maxNorm / norm, v);
        Tensors.Set<float>(vector, v);
    }
}
