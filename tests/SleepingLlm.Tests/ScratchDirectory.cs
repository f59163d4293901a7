namespace SleepingLlm.Tests;

/// <summary>A test's own temporary folder, deleted after it (xUnit makes a new instance for every test).</summary>
public abstract class ScratchDirectory(string prefix) : IDisposable
{
    protected readonly string directory = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
