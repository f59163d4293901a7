using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Memory;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Eval;

/// <summary>
/// The modes side by side on SmolLM2 with a few facts. The weights come from a memory given with
/// --memory that holds the facts as text only (no edits): so weights mode must be the bare model
/// exactly, which checks the plumbing (copy, cut, adapter) without minutes of MEMIT writes.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class ModesEvaluationTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-modes-test-")
{
    ModesEvalOptions Options(int count, string memory) => new()
    {
        ModelPath = TestModels.SmolLm2,
        ModelOptions = new ModelOptions { Threads = 1 },
        Records = TextMemory.People,
        Count = count,
        Modes = MemoryModes.ParseList("weights,prompt,rag,hybrid"),
        RagCount = 2,
        Memory = memory,
        LocalityQuestions = 3,
        TimedQuestions = 2,
    };

    [Fact]
    public void Each_mode_is_measured_on_the_same_facts_and_the_context_modes_pay_in_tokens()
    {
        string memory = Path.Combine(directory, "memory");
        TextMemory.Create(memory, TestModels.SmolLm2, TextMemory.People.Take(6));
        var report = ModesEvaluation.Run(Options(4, memory), output.WriteLine);

        Assert.Equal(["weights", "prompt", "rag", "hybrid"], report.Points.Select(p => p.Mode));
        Assert.All(report.Points, p =>
        {
            Assert.Null(p.Problem);
            Assert.Equal(4, p.Facts);
            Assert.InRange(p.ChatRecall!.Value, 0, 1);
            Assert.InRange(p.ParaphraseRecall!.Value, 0, 1);
            Assert.True(p.TimeToFirstTokenMs > 0 && p.DecodeTokensPerSecond > 0);
            Assert.True(p.DiskBytes > 0);
        });
        var byMode = report.Points.ToDictionary(p => p.Mode);
        // Weights (here: no edits) add nothing to the context and change nothing.
        Assert.Equal(0, byMode["weights"].PromptTokensAdded);
        Assert.Equal(1, byMode["weights"].Locality);
        Assert.True(byMode["prompt"].PromptTokensAdded > byMode["rag"].PromptTokensAdded && byMode["rag"].PromptTokensAdded > 0);
        // The full-text index takes room of its own.
        Assert.True(byMode["rag"].DiskBytes > byMode["prompt"].DiskBytes);
        Assert.Equal(16, report.Answers.Count);
        Assert.Equal(3, report.LocalityQuestions);
    }

    [Fact]
    public void A_memory_whose_facts_are_not_the_files_first_is_refused()
    {
        string memory = Path.Combine(directory, "other");
        TextMemory.Create(memory, TestModels.SmolLm2, TextMemory.People.Skip(2).Take(4));
        var e = Assert.Throws<SleepingLlmException>(() => ModesEvaluation.Run(Options(4, memory)));
        Assert.Contains("first facts", e.Message);
    }
}
