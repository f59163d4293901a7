using SleepingLlm.Gguf;
using static SleepingLlm.Tests.Gguf.GgufTestFiles;

namespace SleepingLlm.Tests.Gguf;

public class GgufRoundTripTests
{
    private static readonly (string Key, GgufValue Value)[] EveryType =
    [
        ("u8", GgufValue.UInt8(byte.MaxValue)),
        ("i8", GgufValue.Int8(sbyte.MinValue)),
        ("u16", GgufValue.UInt16(ushort.MaxValue)),
        ("i16", GgufValue.Int16(short.MinValue)),
        ("u32", GgufValue.UInt32(uint.MaxValue)),
        ("i32", GgufValue.Int32(int.MinValue)),
        ("u64", GgufValue.UInt64(ulong.MaxValue)),
        ("i64", GgufValue.Int64(long.MinValue)),
        ("f32", GgufValue.Float32(-0.15625f)),
        ("f32.nan", GgufValue.Float32(float.NaN)),
        ("f64", GgufValue.Float64(double.Epsilon)),
        ("bool.t", GgufValue.Bool(true)),
        ("bool.f", GgufValue.Bool(false)),
        ("str", GgufValue.String("héllo, 世界 🦙")),
        ("str.empty", GgufValue.String("")),
        ("a.u8", GgufValue.ArrayOf(new byte[] { 0, 1, 255 })),
        ("a.i8", GgufValue.ArrayOf(new sbyte[] { -128, 0, 127 })),
        ("a.u16", GgufValue.ArrayOf(new ushort[] { 0, 65535 })),
        ("a.i16", GgufValue.ArrayOf(new short[] { -32768, 32767 })),
        ("a.u32", GgufValue.ArrayOf(new uint[] { 0, uint.MaxValue })),
        ("a.i32", GgufValue.ArrayOf(-1, 0, int.MaxValue)),
        ("a.u64", GgufValue.ArrayOf(new ulong[] { ulong.MaxValue })),
        ("a.i64", GgufValue.ArrayOf(long.MinValue, 5L)),
        ("a.f32", GgufValue.ArrayOf(1.5f, float.NegativeInfinity, float.MaxValue)),
        ("a.f64", GgufValue.ArrayOf(-2.25, double.MinValue)),
        ("a.bool", GgufValue.ArrayOf(true, false, true)),
        ("a.str", GgufValue.ArrayOf("", "a", "long string with\nnewline", "🦙")),
        ("a.empty.f32", GgufValue.ArrayOf(Array.Empty<float>())),
        ("a.empty.str", GgufValue.ArrayOf(Array.Empty<string>())),
        ("a.empty.nested", GgufValue.ArrayOf(Array.Empty<GgufValue>())),
        ("a.nested", GgufValue.ArrayOf(
            GgufValue.ArrayOf(1, 2, 3),
            GgufValue.ArrayOf("x", "y"),
            GgufValue.ArrayOf(Array.Empty<double>()),
            GgufValue.ArrayOf(GgufValue.ArrayOf(true), GgufValue.ArrayOf(new byte[] { 9 })))),
    ];

    [Fact]
    public void Every_value_type_and_array_round_trips_in_order()
    {
        var writer = new GgufWriter();
        foreach (var (key, value) in EveryType) writer.Add(key, value);

        var file = Read(ToBytes(writer));

        Assert.Equal(3u, file.Version);
        Assert.Equal(EveryType.Select(e => e.Key), file.Metadata.Select(kv => kv.Key));
        foreach (var (key, value) in EveryType)
            Assert.True(value.Equals(file.Get(key)), $"{key}: wrote {value}, read {file.Get(key)}");
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Read_arrays_keep_their_element_types_and_values()
    {
        var file = Read(ToBytes(new GgufWriter()
            .Add("s", GgufValue.ArrayOf("a", "b"))
            .Add("n", GgufValue.ArrayOf(GgufValue.ArrayOf(1L), GgufValue.ArrayOf("z")))));

        Assert.Equal(["a", "b"], file.GetArray<string>("s"));
        var nested = file.GetArray<GgufValue>("n");
        Assert.Equal(GgufValueType.Int64, nested[0].ElementType);
        Assert.Equal([1L], nested[0].GetArray<long>());
        Assert.Equal(["z"], nested[1].GetArray<string>());
        Assert.False(file.Get("s").TryGetArray<int>(out _));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(8u)]
    [InlineData(32u)]
    [InlineData(64u)]
    [InlineData(4096u)]
    public void Tensors_round_trip_with_aligned_data(uint alignment)
    {
        (string Name, GgmlType Type, long[] Dims)[] tensors =
        [
            ("f32", GgmlType.F32, [3, 2]),
            ("f16", GgmlType.F16, [5]),
            ("q4_0", GgmlType.Q4_0, [64, 2]),
            ("q8_0", GgmlType.Q8_0, [32]),
            ("q4_k", GgmlType.Q4_K, [256, 1, 2]),
            ("i8", GgmlType.I8, [7]),
            ("bf16", GgmlType.BF16, [3, 1, 2, 1]),
            ("scalar", GgmlType.F32, []),
            ("empty", GgmlType.F32, [0, 4]),
        ];
        var writer = new GgufWriter().Add("general.alignment", GgufValue.UInt32(alignment));
        var data = new Dictionary<string, byte[]>();
        for (var i = 0; i < tensors.Length; i++)
        {
            var (name, type, dims) = tensors[i];
            var bytes = Data((int)type.TryGetByteSize(dims.Aggregate(1L, (a, b) => a * b))!.Value, i);
            data[name] = bytes;
            writer.AddTensor(name, type, dims, bytes);
        }
        Assert.Equal(alignment, writer.Alignment);

        var file = Read(ToBytes(writer));

        Assert.Equal(alignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        Assert.Equal(tensors.Select(t => t.Name), file.Tensors.Select(t => t.Name));
        foreach (var (name, type, dims) in tensors)
        {
            var t = file.FindTensor(name)!;
            Assert.Equal(type, t.Type);
            Assert.Equal(dims, t.Dimensions);
            Assert.Equal(0, t.Offset % alignment);
            Assert.Equal(dims.Aggregate(1L, (a, b) => a * b), t.ElementCount);
            Assert.Equal(data[name], file.ReadTensorData(t));
            Assert.Equal(file.DataOffset + t.Offset, file.GetTensorFileOffset(t));
        }
    }

    [Fact]
    public void WriteTo_path_replaces_the_file_atomically_and_leaves_no_temp_file()
    {
        var dir = Directory.CreateTempSubdirectory("gguf-test-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.gguf");
            File.WriteAllText(path, "old contents");
            Small().WriteTo(path);

            Assert.Equal(["model.gguf"], Directory.GetFiles(dir).Select(Path.GetFileName));
            var file = GgufFile.Read(path);
            Assert.Equal(path, file.Path);
            Assert.Equal(new FileInfo(path).Length, file.FileSize);
            var tensor = file.FindTensor("token_embd.weight")!;
            Assert.Equal(Data(48, 1), file.ReadTensorData(tensor));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteTo_a_missing_directory_is_a_SleepingLlmException()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.gguf");
        var e = Assert.Throws<SleepingLlmException>(() => Small().WriteTo(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Typed_getters_convert_integers_and_report_wrong_types_with_their_offset()
    {
        var file = Read(ToBytes(Small()));

        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(2u, file.GetUInt32("llama.block_count"));
        Assert.Equal(2, file.GetInt32("llama.block_count"));
        Assert.Equal(2L, file.GetInt64("llama.block_count"));
        Assert.Equal(10000f, file.GetFloat("llama.rope.freq_base"));
        Assert.True(file.GetBool("general.flag"));
        Assert.Null(file.GetStringOrNull("general.name"));
        Assert.Null(file.GetFloatOrNull("llama.missing"));
        Assert.True(file.TryGet("llama.block_count", out var value));
        Assert.Equal(GgufValueType.UInt32, value.Type);

        var wrong = Assert.Throws<GgufFormatException>(() => file.GetString("llama.block_count"));
        Assert.Equal("kv[2] 'llama.block_count' type", wrong.Field);
        Assert.Contains("is UInt32, expected String", wrong.Message);
        Assert.Equal(24 + 8 + "general.architecture".Length + 4 + 8 + "llama".Length
            + 8 + "general.alignment".Length + 4 + 4 + 8 + "llama.block_count".Length, wrong.Offset);

        var missing = Assert.Throws<GgufFormatException>(() => file.GetUInt32("llama.embedding_length"));
        Assert.Equal("kv 'llama.embedding_length'", missing.Field);
        Assert.Equal(-1, missing.Offset);
        Assert.Equal("not a valid GGUF file 'test.gguf': required key 'llama.embedding_length' is missing", missing.Message);
    }

    [Fact]
    public void Writer_rejects_what_it_could_not_write_correctly()
    {
        var w = Small();
        Assert.Throws<ArgumentException>(() => w.Add("general.architecture", GgufValue.String("again")));
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add("general.alignment", GgufValue.UInt32(48)));
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add("general.alignment", GgufValue.UInt64(32)));
        Assert.Throws<ArgumentException>(() => w.AddTensor("token_embd.weight", GgmlType.F32, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("x", GgmlType.F32, [2], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("x", GgmlType.Q4_0, [16], new byte[9]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("x", (GgmlType)4, [1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("x", GgmlType.F32, [1, 1, 1, 1, 1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("x", GgmlType.F32, [-1], new byte[4]));
        Assert.Throws<ArgumentException>(() => GgufValue.ArrayOf(GgufValue.Int32(1)));
        // EncoderFallbackException, an ArgumentException: a lone surrogate has no UTF-8 form.
        Assert.ThrowsAny<ArgumentException>(() => ToBytes(new GgufWriter().Add("bad", GgufValue.String("\ud800"))));
    }
}
