using System.Security.Cryptography;
using SleepingLlm.Models;

namespace SleepingLlm.Tests.Pull;

/// <summary>A model's identity is hashed once and kept by path, size and modification time.</summary>
public sealed class ModelIdentityTests() : ScratchDirectory("sleepingllm-identity-")
{
    [Fact]
    public void The_hash_is_kept_until_the_file_changes_size_or_time()
    {
        string model = Path.Combine(directory, "model.gguf"), cache = Path.Combine(directory, "cache");
        File.Copy(TestModels.Stories260K, model);
        string real = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model)));
        Assert.Equal(real, ModelIdentity.Sha256(model, cache));

        // Same size and time, other bytes: the kept hash is returned without reading the file.
        var time = File.GetLastWriteTimeUtc(model);
        byte[] bytes = File.ReadAllBytes(model);
        bytes[^1] ^= 1;
        File.WriteAllBytes(model, bytes);
        File.SetLastWriteTimeUtc(model, time);
        Assert.Equal(real, ModelIdentity.Sha256(model, cache));

        // A new modification time (a re-download): hashed again.
        File.SetLastWriteTimeUtc(model, time.AddMinutes(1));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), ModelIdentity.Sha256(model, cache));
    }

    [Fact]
    public void A_damaged_index_is_rebuilt()
    {
        string cache = Path.Combine(directory, "cache");
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, "model-identity.json"), "{not json");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(TestModels.Stories260K))),
            ModelIdentity.Sha256(TestModels.Stories260K, cache));
    }
}
