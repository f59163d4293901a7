using SleepingLlm.Gguf;
using static SleepingLlm.Tests.Gguf.GgufTestFiles;

namespace SleepingLlm.Tests.Gguf;

public class GgufMalformedTensorTests
{
    private const uint F32 = 0, Q4_0 = 2, F64 = 28;

    /// <summary>A file with one tensor info and its data; <paramref name="fieldOffset"/> is where <paramref name="field"/> starts.</summary>
    private static byte[] OneTensor(ulong[] dims, uint type, ulong offset, int dataBytes, string field, out long fieldOffset)
    {
        var b = GgufBytes.Header(3, 1, 0).Str("t");
        var offsets = new Dictionary<string, long> { ["name"] = 24 };
        offsets["n_dims"] = b.Offset;
        b.U32((uint)dims.Length);
        for (var i = 0; i < dims.Length; i++)
        {
            offsets[$"ne[{i}]"] = b.Offset;
            b.U64(dims[i]);
        }
        offsets["type"] = b.Offset;
        b.U32(type);
        offsets["offset"] = b.Offset;
        b.U64(offset).PadTo(32).Raw(new byte[dataBytes]);
        fieldOffset = offsets[field];
        return b.ToArray();
    }

    private static void AssertRejected(ulong[] dims, uint type, ulong offset, int dataBytes, string field, string problem)
    {
        var bytes = OneTensor(dims, type, offset, dataBytes, field, out var fieldOffset);
        var e = ReadError(bytes);
        Assert.Equal(($"tensor[0].{field}", fieldOffset), (e.Field, e.Offset));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_valid_tensor_reads()
    {
        var file = Read(OneTensor([4, 2], F32, 0, 32, "offset", out _));
        var t = Assert.Single(file.Tensors);
        Assert.Equal((32L, 8L, 96L), (t.ByteSize, t.ElementCount, file.DataOffset)); // header ends at 65
    }

    [Fact]
    public void More_than_four_dimensions_are_rejected() =>
        AssertRejected([1, 1, 1, 1, 1], F32, 0, 4, "n_dims", "5 dimensions, more than the 4 ggml allows");

    [Fact]
    public void Negative_dimensions_are_rejected() =>
        AssertRejected([4, ulong.MaxValue], F32, 0, 16, "ne[1]", "dimension -1 is negative");

    [Fact]
    public void Overflowing_element_counts_are_rejected() =>
        AssertRejected([1UL << 32, 1UL << 32], F32, 0, 16, "ne[1]", "element count overflows");

    [Fact]
    public void Overflowing_byte_sizes_are_rejected() =>
        AssertRejected([1UL << 62], F64, 0, 16, "type", "byte size of 4611686018427387904 f64 elements overflows");

    [Fact]
    public void Unknown_tensor_types_are_rejected() =>
        AssertRejected([4], 4, 0, 16, "type", "unknown ggml type id 4");

    [Fact]
    public void Rows_must_be_whole_blocks() =>
        AssertRejected([16], Q4_0, 0, 18, "type", "ne[0] = 16 is not a multiple of the q4_0 block size 32");

    [Fact]
    public void Misaligned_offsets_are_rejected() =>
        AssertRejected([4], F32, 4, 32, "offset", "offset 4 of 't' is not a multiple of the alignment 32");

    [Fact]
    public void Offsets_beyond_any_file_are_rejected() =>
        AssertRejected([4], F32, ulong.MaxValue - 31, 16, "offset", "is beyond any file");

    [Fact]
    public void Tensor_data_past_the_end_of_the_file_is_rejected()
    {
        AssertRejected([4], F32, 0, 15, "offset", "data of 't' (16 bytes at data offset 0) extends past the end of the file (79 bytes, data section at 64)");
        AssertRejected([4], F32, 1UL << 40, 16, "offset", "extends past the end of the file");
    }

    [Fact]
    public void A_truncated_writer_file_points_at_the_last_tensor()
    {
        var bytes = ToBytes(Small());
        var file = Read(bytes);
        var last = file.Tensors[^1];
        var end = file.DataOffset + last.Offset + last.ByteSize;

        Read(bytes[..(int)end]); // the padding after the last tensor is optional
        var e = ReadError(bytes[..(int)(end - 1)]);
        Assert.Equal("tensor[1].offset", e.Field);
    }

    [Fact]
    public void Padding_before_the_data_section_must_be_present()
    {
        var bytes = GgufBytes.Header(3, 1, 0).Tensor("t", [0], F32, 0).ToArray();
        var e = ReadError(bytes);
        Assert.Equal(("data section", (long)bytes.Length), (e.Field, e.Offset));
        Assert.Contains("runs past the end of the file", e.Message);
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        var b = GgufBytes.Header(3, 2, 0).Tensor("t", [4], F32, 0);
        var second = b.Offset;
        var e = ReadError(b.Tensor("t", [4], F32, 32).PadTo(32).Raw(new byte[64]).ToArray());
        Assert.Equal(("tensor[1].name", second), (e.Field, e.Offset));
        Assert.Contains("duplicate tensor name 't'", e.Message);
    }

    [Fact]
    public void ReadTensorData_checks_its_arguments()
    {
        var bytes = ToBytes(Small());
        var file = Read(bytes);
        var t = file.FindTensor("blk.0.attn_q.weight")!;
        Assert.Equal(Data(34, 2), file.ReadTensorData(t));
        Assert.Throws<ArgumentException>(() => file.ReadTensorData(t, new byte[33]));
        Assert.Throws<ArgumentException>(() => Read(bytes).ReadTensorData(t)); // a tensor of another file
    }
}
