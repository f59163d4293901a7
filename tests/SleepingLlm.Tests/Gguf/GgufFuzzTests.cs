using SleepingLlm.Gguf;
using static SleepingLlm.Tests.Gguf.GgufTestFiles;

namespace SleepingLlm.Tests.Gguf;

/// <summary>
/// Mutates valid files thousands of times (deterministic seeds, so a failure reproduces) and checks
/// the reader either accepts each one or throws <see cref="GgufFormatException"/>, never anything else.
/// </summary>
public class GgufFuzzTests
{
    private const int HeaderRegion = 64 << 10;

    /// <summary>Values that break counts and lengths: zero, one, sign bits, all ones, just past 32 bits.</summary>
    private static readonly ulong[] Interesting =
        [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 31, 32, 33, 64, 255, 256, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
         0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue];

    [Fact]
    public void Mutated_writer_files_read_or_fail_with_GgufFormatException()
    {
        var seeds = Seeds().ToArray();
        var outcomes = Fuzz(seeds, iterations: 3000, firstSeed: 1);
        Assert.True(outcomes.Rejected > 1000, $"only {outcomes.Rejected} of 3000 mutants were rejected");
        Assert.True(outcomes.Accepted > 50, $"only {outcomes.Accepted} of 3000 mutants were accepted");
    }

    [Fact]
    public void Mutated_headers_of_a_real_model_read_or_fail_with_GgufFormatException()
    {
        var model = File.ReadAllBytes(TestModels.Stories260K);
        var header = model[..Math.Min(model.Length, HeaderRegion)];
        var outcomes = Fuzz([header], iterations: 1500, firstSeed: 100_000);
        Assert.True(outcomes.Rejected > 500, $"only {outcomes.Rejected} of 1500 mutants were rejected");
    }

    private static (int Accepted, int Rejected) Fuzz(byte[][] originals, int iterations, int firstSeed)
    {
        var (accepted, rejected) = (0, 0);
        for (var seed = firstSeed; seed < firstSeed + iterations; seed++)
        {
            var random = new Random(seed);
            var original = originals[random.Next(originals.Length)];
            var mutant = Mutate(original, random);
            try
            {
                var file = Read(mutant);
                // Whatever was accepted must be internally consistent enough to read its tensors.
                foreach (var t in file.Tensors.Where(t => t.ByteSize <= 1 << 20)) file.ReadTensorData(t);
                accepted++;
            }
            catch (GgufFormatException e)
            {
                Assert.True(e.Message.IndexOfAny(['\r', '\n']) < 0, $"seed {seed}: multi-line message {e.Message}");
                Assert.InRange(e.Offset, -1, mutant.Length);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}: {e.GetType().Name} instead of GgufFormatException: {e}");
            }
        }
        return (accepted, rejected);
    }

    /// <summary>One to four mutations, half of them aimed at the first 1 KB where the counts and types are.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var limit = random.Next(2) == 0 ? Math.Min(bytes.Count, 1024) : bytes.Count;
            var at = random.Next(limit);
            switch (random.Next(5))
            {
                case 0: // bit flip
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // overwrite 1, 2, 4 or 8 bytes with an interesting little-endian value
                    var value = Interesting[random.Next(Interesting.Length)];
                    var width = 1 << random.Next(4);
                    for (var i = 0; i < width && at + i < bytes.Count; i++) bytes[at + i] = (byte)(value >> (8 * i));
                    break;
                case 2: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3: // insert random bytes
                    var inserted = new byte[random.Next(1, 9)];
                    random.NextBytes(inserted);
                    bytes.InsertRange(at, inserted);
                    break;
                default: // delete a few bytes
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at));
                    break;
            }
        }
        return [.. bytes];
    }
}
