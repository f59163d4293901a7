using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>Copies between managed arrays and backend tensors (any backend, contiguous tensors).</summary>
public static unsafe class Tensors
{
    public static void Set<T>(GgmlTensor* tensor, ReadOnlySpan<T> values) where T : unmanaged
    {
        nuint bytes = Ggml.ggml_nbytes(tensor);
        if ((nuint)(values.Length * sizeof(T)) != bytes)
            throw new ArgumentException($"{tensor->NameString}: {values.Length * sizeof(T)} bytes for a tensor of {bytes}");
        fixed (T* p = values) Ggml.ggml_backend_tensor_set(tensor, p, 0, bytes);
    }

    public static float[] GetFloats(GgmlTensor* tensor)
    {
        if (tensor->Type != Ggml.TypeF32) throw new ArgumentException($"{tensor->NameString} is not F32");
        var values = new float[Ggml.ggml_nelements(tensor)];
        fixed (float* p = values) Ggml.ggml_backend_tensor_get(tensor, p, 0, Ggml.ggml_nbytes(tensor));
        return values;
    }

    public static float GetScalar(GgmlTensor* tensor) => GetFloats(tensor)[0];
}
