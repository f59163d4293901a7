using SleepingLlm.Gguf;

namespace SleepingLlm.Tests.Gguf;

/// <summary>Small GGUF files built with <see cref="GgufWriter"/>, and reading helpers.</summary>
internal static class GgufTestFiles
{
    public const string Name = "test.gguf";

    public static GgufFile Read(byte[] bytes) => GgufFile.Read(new MemoryStream(bytes, writable: false), Name);

    /// <summary>Reads bytes that must be rejected, and checks the error is one line and points inside the file.</summary>
    public static GgufFormatException ReadError(byte[] bytes)
    {
        var e = Assert.Throws<GgufFormatException>(() => Read(bytes));
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.InRange(e.Offset, 0, bytes.Length);
        Assert.False(string.IsNullOrEmpty(e.Field));
        return e;
    }

    public static byte[] ToBytes(GgufWriter writer)
    {
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Deterministic pseudo-random bytes for tensor data.</summary>
    public static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A few keys of common types, a string array, and two tensors: ~400 bytes.</summary>
    public static GgufWriter Small(uint alignment = 32) => new GgufWriter()
        .Add("general.architecture", GgufValue.String("llama"))
        .Add("general.alignment", GgufValue.UInt32(alignment))
        .Add("llama.block_count", GgufValue.UInt32(2))
        .Add("llama.rope.freq_base", GgufValue.Float32(10000f))
        .Add("general.flag", GgufValue.Bool(true))
        .Add("tokenizer.ggml.tokens", GgufValue.ArrayOf("<s>", "a", "bc"))
        .Add("tokenizer.ggml.scores", GgufValue.ArrayOf(0f, -1.5f, 2f))
        .Add("nested", GgufValue.ArrayOf(GgufValue.ArrayOf(1, 2), GgufValue.ArrayOf("x")))
        .AddTensor("token_embd.weight", GgmlType.F32, [4, 3], Data(48, 1))
        .AddTensor("blk.0.attn_q.weight", GgmlType.Q8_0, [32, 1], Data(34, 2));

    /// <summary>Writer-made files of different shapes, the seeds of the fuzz test.</summary>
    public static IEnumerable<byte[]> Seeds()
    {
        yield return ToBytes(Small());
        yield return ToBytes(Small(alignment: 8));
        yield return ToBytes(new GgufWriter()
            .Add("deep", GgufValue.ArrayOf(GgufValue.ArrayOf(GgufValue.ArrayOf(7L, 8L)), GgufValue.ArrayOf(Array.Empty<string>())))
            .Add("u64", GgufValue.UInt64(ulong.MaxValue))
            .Add("f64", GgufValue.Float64(Math.PI)));
        yield return ToBytes(new GgufWriter()
            .Add("general.name", GgufValue.String("t"))
            .AddTensor("a", GgmlType.Q4_K, [256], Data(144, 3))
            .AddTensor("b", GgmlType.I16, [3, 1, 1, 2], Data(12, 4))
            .AddTensor("c", GgmlType.F16, [], Data(2, 5)));
    }
}
