using System.Text.Json;

namespace SleepingLlm.Tests.Cli;

/// <summary>
/// <c>chat --memory-mode</c> through the CLI process, on SmolLM2 with a memory of facts as text (no edits,
/// so weights mode is the bare model): prompt and rag bring a fact into the answer by way of the context.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class MemoryModeChatTests() : ScratchDirectory("sleepingllm-mode-chat-")
{
    // Ten people's facts; the question is about one of them.
    const string Question = "What is Nerys Ferreira allergic to?";
    const string Answer = "penicillin";

    JsonElement Reply(string mode)
    {
        var run = CliProcess.RunWithInput(null, Question + "\n", "chat", "--model", TestModels.SmolLm2, "--json", "-t", "1", "--temp", "0",
            "-n", "24", "--memory", directory, "--memory-mode", mode);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout.Trim().Split('\n').Single());
        return json.RootElement.Clone();
    }

    [Fact]
    public void Prompt_and_rag_answer_from_the_context_and_pay_for_it_in_prompt_tokens()
    {
        TextMemory.Create(directory, TestModels.SmolLm2, TextMemory.People.Take(10));
        var weights = Reply("weights");
        var prompt = Reply("prompt");
        var rag = Reply("rag");

        Assert.DoesNotContain(Answer, weights.GetProperty("assistant").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Answer, prompt.GetProperty("assistant").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Answer, rag.GetProperty("assistant").GetString(), StringComparison.OrdinalIgnoreCase);
        int bare = weights.GetProperty("prompt_tokens").GetInt32();
        int all = prompt.GetProperty("prompt_tokens").GetInt32(), retrieved = rag.GetProperty("prompt_tokens").GetInt32();
        // Ten statements against the few that match the question.
        Assert.True(all > retrieved && retrieved > bare, $"prompt tokens: weights {bare}, rag {retrieved}, prompt {all}");
    }

    [Fact]
    public void A_memory_mode_without_the_memory_fails_with_one_line()
    {
        var run = CliProcess.RunWithInput(null, Question + "\n", "chat", "--model", TestModels.SmolLm2, "--json", "-t", "1", "--no-memory", "--memory-mode", "rag");
        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr.Trim());
        Assert.Contains("rag", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
