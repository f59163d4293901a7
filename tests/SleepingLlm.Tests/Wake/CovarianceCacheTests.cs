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

    [Fact]
    public void Other_statistics_are_cached_as_their_mean_once_and_added_to_a_covariance_with_their_weight()
    {
        const string sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        const int n = 5;
        float[] rows = [1, 2, 0, 0, -1, 0, 1, 3, 1, 0, 2, 0, 0, 1, 1];
        int computed = 0;
        CaptureSums Compute()
        {
            computed++;
            var sums = new CaptureSums(CaptureKind.FfnDownInput, n, 3, 4);
            sums.Add(3, rows);
            sums.Add(4, rows.AsSpan(0, 2 * n));
            return sums;
        }
        var cache = new Covariance(directory);
        cache.EnsureOther(sha, "names", [3, 4], Compute);
        cache.EnsureOther(sha, "names", [3, 4], Compute);
        Assert.Equal(1, computed);

        var values = Enumerable.Range(0, n * n).Select(i => (double)i).ToArray();
        cache.AddOther(sha, "names", 3, values, n, 0.5);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double mean = Enumerable.Range(0, 3).Sum(r => (double)rows[r * n + i] * rows[r * n + j]) / 3;
                Assert.Equal(i * n + j + 0.5 * mean, values[i * n + j], 12);
            }
        Assert.Throws<SleepingLlmException>(() => cache.AddOther(sha, "chat", 3, values, n, 1));
    }
}
