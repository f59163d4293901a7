using SleepingLlm.Inference;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Wake;

/// <summary>The key statistics cache: a short or damaged file is noticed by its checksum and recomputed, never used.</summary>
public sealed class CovarianceCacheTests() : ScratchDirectory("sleepingllm-covariance-")
{
    [Theory]
    [InlineData("truncated")]
    [InlineData("one byte changed")]
    [InlineData("empty")]
    public void A_damaged_cache_file_is_recomputed_and_said_so(string damage)
    {
        using var model = Model.Load(TestModels.Stories260K, new ModelOptions { Threads = 1 });
        var corpus = Corpus.FromFile(WikiText.Path);
        const string sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        var notices = new List<string>();
        var cache = new Covariance(directory, notices.Add);
        var fresh = cache.Get(model, sha, [1, 2], corpus, 600);
        Assert.Empty(notices);
        string file = Directory.GetFiles(directory, "cov-L1-*.bin", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(file, bytes[..(bytes.Length - 100)]); break;
            case "empty": File.WriteAllBytes(file, []); break;
            default: bytes[bytes.Length / 2] ^= 0x40; File.WriteAllBytes(file, bytes); break;
        }

        var again = cache.Get(model, sha, [1, 2], corpus, 600);
        var notice = Assert.Single(notices);
        Assert.Equal($"key statistics {file} are damaged or from an older version; recomputing", notice);
        Assert.Equal(fresh[1].ToArray(), again[1].ToArray());
        Assert.Equal(bytes.Length, new FileInfo(file).Length);
        notices.Clear();
        Assert.Equal(fresh[1].ToArray(), cache.Get(model, sha, [1], corpus, 600)[1].ToArray()); // whole again
        Assert.Empty(notices);
    }
}
