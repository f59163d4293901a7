using System.Text;
using SleepingLlm.Gguf;
using static SleepingLlm.Tests.Gguf.GgufTestFiles;

namespace SleepingLlm.Tests.Gguf;

public class GgufMalformedHeaderTests
{
    private const uint String = 8, Array = 9, UInt32 = 4, UInt64 = 10, Bool = 7;

    [Fact]
    public void A_file_truncated_at_any_offset_names_the_field_it_was_reading()
    {
        var bytes = ToBytes(Small());
        var last = Read(bytes).Tensors[^1];
        var dataEnd = (int)(Read(bytes).DataOffset + last.Offset + last.ByteSize);
        var fieldPattern = @"^(header\.(magic|version|tensor_count|kv_count)|kv\[\d\](\.key| '[a-z._]+' (type|value.*))|tensor\[[01]\]\.(name|n_dims|ne\[\d\]|type|offset)|data section)$";
        for (var n = 0; n < dataEnd; n++)
        {
            var e = ReadError(bytes[..n]);
            Assert.Matches(fieldPattern, e.Field);
            Assert.InRange(e.Offset, 0, n);
            var expectedField = n switch
            {
                < 4 => "header.magic",
                < 8 => "header.version",
                // Two tensor infos need 48 bytes: the count check fails before the kv count is read.
                < 24 => "header.tensor_count",
                _ => null,
            };
            if (expectedField is not null) Assert.Equal(expectedField, e.Field);
        }
        // The padding after the last tensor's data is not needed.
        for (var n = dataEnd; n <= bytes.Length; n++) Assert.Equal(2, Read(bytes[..n]).Tensors.Count);
    }

    [Fact]
    public void A_text_file_is_not_a_GGUF_file()
    {
        var e = ReadError(Encoding.UTF8.GetBytes("Hello, world!\nThis is not a model.\n"));
        Assert.Equal("header.magic", e.Field);
        Assert.Equal(0, e.Offset);
        Assert.Equal("not a GGUF file 'test.gguf': it starts with 'Hell', not \"GGUF\"", e.Message);
    }

    [Fact]
    public void Binary_garbage_is_shown_as_hex()
    {
        var e = ReadError([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]);
        Assert.Equal("not a GGUF file 'test.gguf': it starts with 89504E47, not \"GGUF\"", e.Message);
    }

    [Fact]
    public void An_empty_file_is_not_a_GGUF_file()
    {
        var e = ReadError([]);
        Assert.Equal(("header.magic", 0L), (e.Field, e.Offset));
        Assert.Equal("not a GGUF file 'test.gguf': the file is empty", e.Message);
    }

    [Fact]
    public void A_file_cut_inside_the_magic_is_a_truncated_GGUF()
    {
        var e = ReadError("GG"u8.ToArray());
        Assert.Equal("not a valid GGUF file 'test.gguf': header.magic at offset 0: the file is only 2 bytes long (truncated file?)", e.Message);
    }

    [Theory]
    [InlineData(0u, "unsupported GGUF version 0")]
    [InlineData(1u, "GGUF version 1 is no longer supported")]
    [InlineData(4u, "unsupported GGUF version 4 (supported: 2 and 3)")]
    [InlineData(0x03000000u, "looks byte-swapped")]
    public void Unsupported_versions_are_rejected(uint version, string expected)
    {
        var e = ReadError(GgufBytes.Header(version, 0, 0).ToArray());
        Assert.Equal(("header.version", 4L), (e.Field, e.Offset));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Version_2_is_read()
    {
        Assert.Equal(2u, Read(GgufBytes.Header(2, 0, 0).ToArray()).Version);
    }

    [Fact]
    public void A_huge_string_length_is_rejected_before_allocating()
    {
        var b = GgufBytes.Header(3, 0, 1).Key("general.name", String);
        var offset = b.Offset;
        var e = ReadError(b.U64(uint.MaxValue).Raw(new byte[200]).ToArray());
        Assert.Equal(("kv[0] 'general.name' value", offset), (e.Field, e.Offset));
        Assert.Equal($"not a valid GGUF file 'test.gguf': kv[0] 'general.name' value at offset {offset}: string length 4294967295 exceeds the 200 bytes left in the file", e.Message);

        var key = ReadError(GgufBytes.Header(3, 0, 1).U64(ulong.MaxValue).Raw(new byte[16]).ToArray());
        Assert.Equal(("kv[0].key", 24L), (key.Field, key.Offset));
    }

    [Fact]
    public void Array_counts_are_checked_against_the_smallest_element_size()
    {
        var b = GgufBytes.Header(3, 0, 1).Key("a", Array).U32(0);
        var countOffset = b.Offset;
        var e = ReadError(b.U64(1UL << 40).Raw(new byte[64]).ToArray());
        Assert.Equal(("kv[0] 'a' value count", countOffset), (e.Field, e.Offset));
        Assert.Contains("array count 1099511627776 needs at least 1 bytes each but only 64 bytes are left", e.Message);

        // Ten strings need at least ten 8-byte lengths: 79 bytes are too few, 80 (ten empty strings) are enough.
        var strings = GgufBytes.Header(3, 0, 1).Key("s", Array).U32(String).U64(10);
        ReadError(strings.ToArray().Concat(new byte[79]).ToArray());
        Assert.Equal(10, Read(strings.Raw(new byte[80]).ToArray()).GetArray<string>("s").Count);
    }

    [Fact]
    public void Huge_tensor_and_kv_counts_are_rejected()
    {
        var tensors = ReadError(GgufBytes.Header(3, ulong.MaxValue, 0).ToArray());
        Assert.Equal(("header.tensor_count", 8L), (tensors.Field, tensors.Offset));
        var kvs = ReadError(GgufBytes.Header(3, 0, ulong.MaxValue).ToArray());
        Assert.Equal(("header.kv_count", 16L), (kvs.Field, kvs.Offset));

        // Two tensor infos fit in what follows the header, but not in what follows the metadata.
        var e = ReadError(GgufBytes.Header(3, 2, 1).Key("k", String).Str(new string('x', 30)).Raw(new byte[20]).ToArray());
        Assert.Equal("header.tensor_count", e.Field);
        Assert.Contains("after the metadata", e.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(48u)]
    public void Alignment_must_be_a_power_of_two(uint alignment)
    {
        var b = GgufBytes.Header(3, 0, 1).Key("general.alignment", UInt32);
        var offset = b.Offset;
        var e = ReadError(b.U32(alignment).ToArray());
        Assert.Equal(("kv[0] 'general.alignment' value", offset), (e.Field, e.Offset));
        Assert.Contains($"alignment {alignment} is not a power of two", e.Message);
    }

    [Fact]
    public void Alignment_must_be_a_UInt32()
    {
        var e = ReadError(GgufBytes.Header(3, 0, 1).Key("general.alignment", UInt64).U64(32).ToArray());
        Assert.Equal("kv[0] 'general.alignment' type", e.Field);
    }

    [Fact]
    public void Unknown_value_types_are_rejected()
    {
        var b = GgufBytes.Header(3, 0, 1).Str("x");
        var e = ReadError(b.U32(13).U32(0).ToArray());
        Assert.Equal(("kv[0] 'x' type", 24L + 8 + 1), (e.Field, e.Offset));
        var element = ReadError(GgufBytes.Header(3, 0, 1).Key("x", Array).U32(99).U64(0).ToArray());
        Assert.Equal("kv[0] 'x' value element type", element.Field);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        var b = GgufBytes.Header(3, 0, 2).Key("k", Bool).U8(1);
        var second = b.Offset;
        var e = ReadError(b.Key("k", Bool).U8(0).ToArray());
        Assert.Equal(("kv[1].key", second), (e.Field, e.Offset));
        Assert.Contains("duplicate key 'k'", e.Message);
    }

    [Fact]
    public void Invalid_UTF8_and_bad_bools_are_rejected()
    {
        var key = ReadError(GgufBytes.Header(3, 0, 1).Str([0xC3, 0x28]).U32(Bool).U8(1).ToArray());
        Assert.Equal(("kv[0].key", 24L), (key.Field, key.Offset));
        Assert.Contains("not valid UTF-8", key.Message);

        var b = GgufBytes.Header(3, 0, 1).Key("b", Array).U32(Bool).U64(3).U8(1).U8(0);
        var third = b.Offset;
        var e = ReadError(b.U8(2).ToArray());
        Assert.Equal(("kv[0] 'b' value[2]", third), (e.Field, e.Offset));
        Assert.Contains("bool byte is 0x02", e.Message);
    }

    [Fact]
    public void Arrays_nest_at_most_16_deep()
    {
        static byte[] Nested(int depth)
        {
            var b = GgufBytes.Header(3, 0, 1).Key("n", Array);
            for (var i = 1; i < depth; i++) b.U32(Array).U64(1);
            return b.U32(UInt32).U64(0).ToArray();
        }

        Assert.Equal(16, Depth(Read(Nested(16)).Get("n")));
        var e = ReadError(Nested(17));
        Assert.StartsWith("kv[0] 'n' value[0]", e.Field);
        Assert.EndsWith("element type", e.Field);
        Assert.Contains("nested more than 16 deep", e.Message);

        static int Depth(GgufValue v) => v.ElementType == GgufValueType.Array ? 1 + Depth(v.GetArray<GgufValue>()[0]) : 1;
    }
}
