using SleepingLlm.Eval;
using SleepingLlm.Inference;

namespace SleepingLlm.Tests.Eval;

/// <summary>The audit's early-stopping probes give the verdict of the whole greedy answer.</summary>
[Collection(ModelCompute.Name)]
public sealed class ProbeTests
{
    [Fact]
    public void Stopping_once_the_object_is_named_gives_the_whole_answers_verdict()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var context = new Context(model, 512);
        foreach (var (prompt, question) in new[] { ("The capital of France is", "What is the capital of France?"), ("My favourite colour is", "What colour is the sky?") })
        {
            string completion = Probe.Complete(context, prompt);
            string reply = Probe.Ask(context, question);
            // A word from the end of each answer (named, but only late), and one the answers never name.
            string late = completion.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
            string lateReply = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.True(Probe.Completes(context, prompt, late), $"'{late}' in '{completion}'");
            Assert.True(Probe.Answers(context, question, lateReply), $"'{lateReply}' in '{reply}'");
            Assert.False(Probe.Completes(context, prompt, "Xylophonist"));
            Assert.False(Probe.Answers(context, question, "Xylophonist"));
            // And the context is left as the next probe expects it: the full answers come back unchanged.
            Assert.Equal(completion, Probe.Complete(context, prompt));
            Assert.Equal(reply, Probe.Ask(context, question));
        }
    }
}
