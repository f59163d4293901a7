using SleepingLlm.Gguf;
using SleepingLlm.Models;

namespace SleepingLlm.Tests.Gguf;

public class GgufRealModelTests
{
    [Fact]
    public void SmolLM2_model_info()
    {
        var info = ModelInfo.Read(TestModels.SmolLm2);

        Assert.Equal("llama", info.Architecture);
        Assert.Equal(30, info.LayerCount);
        Assert.Equal(576, info.EmbeddingLength);
        Assert.Equal(1536, info.FeedForwardLength);
        Assert.Equal(9, info.HeadCount);
        Assert.Equal(3, info.KvHeadCount);
        Assert.Equal(8192, info.TrainedContextLength);
        Assert.Equal(100000f, info.RopeFreqBase);
        Assert.Equal(1e-5f, info.RmsNormEpsilon);
        Assert.Equal(49152, info.VocabSize);
        Assert.Equal("gpt2", info.TokenizerModel);
        Assert.Equal(3u, info.FileType);
        Assert.True(info.TiedEmbeddings);
        Assert.Contains("<|im_start|>", info.ChatTemplate);
        Assert.Equal(98_362_432, info.FileSize);
        Assert.InRange(info.ParameterCount, 130_000_000, 140_000_000);
        Assert.True(info.TensorTypeCounts["q4_1"] > 100);
        Assert.Equal(info.TensorTypeCounts.Values.Sum(), GgufFile.Read(TestModels.SmolLm2).Tensors.Count);
    }

    [Fact]
    public void Stories260K_model_info()
    {
        var info = ModelInfo.Read(TestModels.Stories260K);

        Assert.Equal("llama", info.Architecture);
        Assert.Equal(5, info.LayerCount);
        Assert.Equal(64, info.EmbeddingLength);
        Assert.Equal(172, info.FeedForwardLength);
        Assert.Equal(8, info.HeadCount);
        Assert.Equal(4, info.KvHeadCount);
        Assert.Equal(512, info.VocabSize);
        Assert.Null(info.ChatTemplate);
        Assert.Equal(["f32"], info.TensorTypeCounts.Keys);
        Assert.Equal(Path.GetFullPath(TestModels.Stories260K), info.Path);
    }

    [Fact]
    public void Reading_the_SmolLM2_header_does_not_read_tensor_data()
    {
        var path = TestModels.SmolLm2;
        using var stream = new CountingFileStream(path);
        var file = GgufFile.Read(stream, path);

        Assert.InRange(stream.BytesRead, file.DataOffset, file.DataOffset + (64 << 10));
        Assert.True(file.DataOffset < 4 << 20, $"header is {file.DataOffset} bytes");

        var norm = file.FindTensor("output_norm.weight")!;
        Assert.Equal((GgmlType.F32, 576L), (norm.Type, norm.ElementCount));
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.ReadTensorData(norm));
        Assert.All(weights.ToArray(), w => Assert.True(float.IsFinite(w) && w != 0));
    }

    [Fact]
    public void Rewriting_stories260K_reproduces_it_byte_for_byte()
    {
        var original = File.ReadAllBytes(TestModels.Stories260K);
        var file = GgufFile.Read(TestModels.Stories260K);

        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata) writer.Add(key, value);
        foreach (var t in file.Tensors) writer.AddTensor(t.Name, t.Type, t.Dimensions.ToArray(), file.ReadTensorData(t));
        var copy = new MemoryStream();
        writer.WriteTo(copy);

        Assert.Equal(original, copy.ToArray());
    }

    [Fact]
    public void ModelInfo_reports_missing_paths_and_directories_in_one_line()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".gguf");
        Assert.Equal($"model file not found: {missing}", Assert.Throws<SleepingLlmException>(() => ModelInfo.Read(missing)).Message);

        var dir = Path.GetTempPath();
        Assert.Equal($"model path is a directory, not a GGUF file: {dir}", Assert.Throws<SleepingLlmException>(() => ModelInfo.Read(dir)).Message);
        Assert.Equal("model path is empty", Assert.Throws<SleepingLlmException>(() => ModelInfo.Read("")).Message);
    }

    [Fact]
    public void ModelInfo_of_a_text_file_is_a_GgufFormatException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.gguf");
        File.WriteAllText(path, "{\"this\": \"is json\"}\n");
        try
        {
            var e = Assert.Throws<GgufFormatException>(() => ModelInfo.Read(path));
            Assert.Equal($"not a GGUF file '{path}': it starts with '{{\"th', not \"GGUF\"", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModelInfo_needs_the_architecture_keys()
    {
        var file = GgufTestFiles.Read(GgufTestFiles.ToBytes(new GgufWriter().Add("general.architecture", GgufValue.String("llama"))));
        var e = Assert.Throws<GgufFormatException>(() => ModelInfo.FromGguf(file));
        Assert.Contains("required key 'llama.attention.head_count' is missing", e.Message);
    }

    [Fact]
    public void A_missing_test_model_fails_with_a_clear_message()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TestModels.Path("no-such-model.gguf"));
        Assert.StartsWith("real-model test needs SLEEPINGLLM_MODELS=../shared/models; ", e.Message);
        Assert.EndsWith("no-such-model.gguf not found", e.Message);
    }

    private sealed class CountingFileStream(string path) : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = base.Read(buffer);
            BytesRead += n;
            return n;
        }
    }
}
