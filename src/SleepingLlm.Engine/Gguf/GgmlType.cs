namespace SleepingLlm.Gguf;

/// <summary>
/// Tensor element types as numbered by ggml (<c>enum ggml_type</c>). The ids are stored in GGUF
/// files, so they never change; gaps are types that ggml removed (4, 5, 31-33, 36-38).
/// </summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
    NVFP4 = 40,
    Q1_0 = 41,
    Q2_0 = 42,
}

/// <summary>
/// How a type lays out in memory: <see cref="BlockSize"/> elements are stored together in
/// <see cref="TypeSize"/> bytes. <see cref="Name"/> is ggml's spelling (e.g. "q4_K").
/// </summary>
public readonly record struct GgmlTypeTraits(string Name, int BlockSize, int TypeSize, bool IsQuantized);

/// <summary>Size and name lookups for <see cref="GgmlType"/>, numbers from ggml's <c>type_traits</c>.</summary>
public static class GgmlTypes
{
    private const int QK_K = 256;

    private static readonly Dictionary<GgmlType, GgmlTypeTraits> Table = new()
    {
        [GgmlType.F32] = new("f32", 1, 4, false),
        [GgmlType.F16] = new("f16", 1, 2, false),
        [GgmlType.Q4_0] = new("q4_0", 32, 18, true),
        [GgmlType.Q4_1] = new("q4_1", 32, 20, true),
        [GgmlType.Q5_0] = new("q5_0", 32, 22, true),
        [GgmlType.Q5_1] = new("q5_1", 32, 24, true),
        [GgmlType.Q8_0] = new("q8_0", 32, 34, true),
        [GgmlType.Q8_1] = new("q8_1", 32, 36, true),
        [GgmlType.Q2_K] = new("q2_K", QK_K, 84, true),
        [GgmlType.Q3_K] = new("q3_K", QK_K, 110, true),
        [GgmlType.Q4_K] = new("q4_K", QK_K, 144, true),
        [GgmlType.Q5_K] = new("q5_K", QK_K, 176, true),
        [GgmlType.Q6_K] = new("q6_K", QK_K, 210, true),
        [GgmlType.Q8_K] = new("q8_K", QK_K, 292, true),
        [GgmlType.IQ2_XXS] = new("iq2_xxs", QK_K, 66, true),
        [GgmlType.IQ2_XS] = new("iq2_xs", QK_K, 74, true),
        [GgmlType.IQ3_XXS] = new("iq3_xxs", QK_K, 98, true),
        [GgmlType.IQ1_S] = new("iq1_s", QK_K, 50, true),
        [GgmlType.IQ4_NL] = new("iq4_nl", 32, 18, true),
        [GgmlType.IQ3_S] = new("iq3_s", QK_K, 110, true),
        [GgmlType.IQ2_S] = new("iq2_s", QK_K, 82, true),
        [GgmlType.IQ4_XS] = new("iq4_xs", QK_K, 136, true),
        [GgmlType.I8] = new("i8", 1, 1, false),
        [GgmlType.I16] = new("i16", 1, 2, false),
        [GgmlType.I32] = new("i32", 1, 4, false),
        [GgmlType.I64] = new("i64", 1, 8, false),
        [GgmlType.F64] = new("f64", 1, 8, false),
        [GgmlType.IQ1_M] = new("iq1_m", QK_K, 56, true),
        [GgmlType.BF16] = new("bf16", 1, 2, false),
        [GgmlType.TQ1_0] = new("tq1_0", QK_K, 54, true),
        [GgmlType.TQ2_0] = new("tq2_0", QK_K, 66, true),
        [GgmlType.MXFP4] = new("mxfp4", 32, 17, true),
        [GgmlType.NVFP4] = new("nvfp4", 64, 36, true),
        [GgmlType.Q1_0] = new("q1_0", 128, 18, true),
        [GgmlType.Q2_0] = new("q2_0", 64, 18, true),
    };

    /// <summary>Every type this table knows, in id order.</summary>
    public static IReadOnlyList<GgmlType> All { get; } = [.. Table.Keys.Order()];

    /// <summary>False for ids that ggml never assigned or has removed.</summary>
    public static bool IsKnown(GgmlType type) => Table.ContainsKey(type);

    public static bool TryGetTraits(GgmlType type, out GgmlTypeTraits traits) => Table.TryGetValue(type, out traits);

    /// <exception cref="ArgumentOutOfRangeException">the type is not known.</exception>
    public static GgmlTypeTraits Traits(this GgmlType type) =>
        Table.TryGetValue(type, out var traits)
            ? traits
            : throw new ArgumentOutOfRangeException(nameof(type), $"unknown ggml type id {(uint)type}");

    /// <summary>ggml's name ("q4_1"), or "type&lt;id&gt;" for an unknown id, so it is safe in messages.</summary>
    public static string Name(this GgmlType type) =>
        Table.TryGetValue(type, out var traits) ? traits.Name : $"type{(uint)type}";

    /// <summary>
    /// Bytes needed for <paramref name="elementCount"/> elements, or null when the count is not a
    /// whole number of blocks or the size overflows a long (both make a tensor unusable).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the type is not known.</exception>
    public static long? TryGetByteSize(this GgmlType type, long elementCount)
    {
        var traits = type.Traits();
        if (elementCount < 0 || elementCount % traits.BlockSize != 0) return null;
        var blocks = elementCount / traits.BlockSize;
        return blocks > long.MaxValue / traits.TypeSize ? null : blocks * traits.TypeSize;
    }
}
