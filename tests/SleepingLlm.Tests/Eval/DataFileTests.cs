using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

/// <summary>A bad data file gives one error line that names the file and what is wrong with it.</summary>
public sealed class DataFileTests : IDisposable
{
    readonly string path = Path.GetTempFileName();

    public void Dispose() => File.Delete(path);

    [Theory]
    [InlineData("{\"facts\": [", "is not a facts file")]
    [InlineData("{\"facts\": []}", "has no facts")]
    [InlineData("{}", "has no facts")]
    public void A_broken_or_empty_facts_file_is_refused_by_name(string text, string error)
    {
        File.WriteAllText(path, text);
        var e = Assert.Throws<SleepingLlmException>(() => FactSet.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(error, e.Message);
    }

    [Fact]
    public void Chat_facts_and_CounterFact_files_say_what_they_lack()
    {
        File.WriteAllText(path, "{\"conversations\": []}");
        Assert.Contains("has no conversations", Assert.Throws<SleepingLlmException>(() => ChatFactSet.Load(path)).Message);
        File.WriteAllText(path, "[{\"locality_prompt\": \"\"}]");
        Assert.Contains("has no locality prompts", Assert.Throws<SleepingLlmException>(() => CounterFactSet.LocalityPrompts(path, 5)).Message);
        File.WriteAllText(path, "[{\"locality_prompt\": \"The capital of France is\"}, {\"locality_prompt\": \"Water boils at\"}]");
        Assert.Equal(["The capital of France is"], CounterFactSet.LocalityPrompts(path, 1));
        // Locality prompts alone are no edit requests.
        Assert.Contains("has no requests", Assert.Throws<SleepingLlmException>(() => CounterFactSet.Load(path)).Message);
    }
}
