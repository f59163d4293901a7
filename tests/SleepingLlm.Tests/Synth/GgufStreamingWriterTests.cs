using SleepingLlm.Gguf;

namespace SleepingLlm.Tests.Synth;

/// <summary>The writer's callback overload, which lets synth stream tensors instead of holding them in memory.</summary>
public sealed class GgufStreamingWriterTests
{
    static readonly long[] Dims = [32, 3];

    [Fact]
    public void A_tensor_written_by_a_callback_gives_the_same_file_as_one_added_as_bytes()
    {
        var data = Enumerable.Range(0, 3 * 34).Select(i => (byte)i).ToArray();
        var inMemory = new MemoryStream();
        new GgufWriter().Add("general.alignment", GgufValue.UInt32(64))
            .AddTensor("a", GgmlType.Q8_0, Dims, data).AddTensor("b", GgmlType.F32, [3], new byte[12]).WriteTo(inMemory);

        var calls = 0;
        var streamed = new MemoryStream();
        new GgufWriter().Add("general.alignment", GgufValue.UInt32(64))
            .AddTensor("a", GgmlType.Q8_0, Dims, stream =>
            {
                calls++;
                stream.Write(data, 0, 40);
                stream.Write(data.AsSpan(40));
            })
            .AddTensor("b", GgmlType.F32, [3], stream => stream.Write(new byte[12]))
            .WriteTo(streamed);

        Assert.Equal(1, calls);
        Assert.Equal(inMemory.ToArray(), streamed.ToArray());
        var file = GgufFile.Read(new MemoryStream(streamed.ToArray()));
        Assert.Equal(data, file.ReadTensorData(file.FindTensor("a")!));
    }

    [Theory]
    [InlineData(101)]
    [InlineData(103)]
    public void A_callback_that_writes_the_wrong_size_fails_and_leaves_no_file(int size)
    {
        var folder = Directory.CreateTempSubdirectory("sleepingllm-stream-").FullName;
        try
        {
            var path = Path.Combine(folder, "bad.gguf");
            var writer = new GgufWriter().AddTensor("a", GgmlType.Q8_0, Dims, stream => stream.Write(new byte[size]));
            var e = Assert.Throws<InvalidOperationException>(() => writer.WriteTo(path));
            Assert.Contains($"wrote {size} bytes, not 102", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Streamed_tensors_are_validated_when_added()
    {
        var writer = new GgufWriter().AddTensor("a", GgmlType.F32, [4], _ => { });
        Assert.Throws<ArgumentException>(() => writer.AddTensor("a", GgmlType.F32, [4], _ => { }));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("b", GgmlType.Q8_0, [48], _ => { }));
        Assert.Throws<ArgumentNullException>(() => writer.AddTensor("c", GgmlType.F32, [4], (Action<Stream>)null!));
    }
}
