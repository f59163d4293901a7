using SleepingLlm.Adapters;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Wake;

namespace SleepingLlm.Sleep;

/// <summary>
/// Sleep's Consolidate step: facts become training sequences (the question asked in chat, answered
/// through the model's template; the raw prompt completed by the object), other text becomes anchors
/// the model must keep its distribution on, and <see cref="LoraTrainer"/> turns both into one LoRA
/// adapter that llama.cpp loads like any other.
/// </summary>
public static class Consolidation
{
    /// <summary>The chat form: the user's question, the assistant's "{prompt} {object}." and its end of turn; null without a question.</summary>
    public static TrainingSequence? ChatAnswer(Model model, Fact fact)
    {
        if (Templates.Question(model, fact) is not { } question) return null;
        string full = model.ApplyChatTemplate([ChatMessage.User(fact.Question!), ChatMessage.Assistant($"{fact.Prompt} {fact.Object.Trim()}.")], addAssistant: false);
        if (!full.StartsWith(question, StringComparison.Ordinal))
            throw new SleepingLlmException("the chat template does not continue the question's prompt with the answer");
        // Tokenized as the chat meets it: the prompt as one text, the answer token by token after it,
        // up to and including the end-of-turn token, so the trained answer also stops.
        int[] asked = model.Tokenize(question);
        int[] answer = model.Tokenize(full[question.Length..], addSpecial: false);
        int end = Array.FindIndex(answer, model.IsEndOfGeneration);
        return new TrainingSequence([.. asked, .. end >= 0 ? answer[..(end + 1)] : answer], asked.Length);
    }

    /// <summary>The raw prompt completed by the object.</summary>
    public static TrainingSequence RawCompletion(Model model, Fact fact)
    {
        var (tokens, start) = Positions.WithObject(model, fact.Prompt, fact.Object);
        return new TrainingSequence(tokens, start);
    }

    /// <summary>Every fact's raw completion, and its chat answer where it has a question.</summary>
    public static IReadOnlyList<TrainingSequence> Sequences(Model model, IEnumerable<Fact> facts) =>
        [.. facts.SelectMany(f => ChatAnswer(model, f) is { } chat ? new[] { RawCompletion(model, f), chat } : [RawCompletion(model, f)])];

    /// <summary>
    /// Anchor texts the model wrote itself: a greedy continuation of each raw prompt, and its greedy chat
    /// answer to each question, so the KL holds both the completion and the chat behaviour in place.
    /// Prompts and questions of other subjects (namesakes included) make the anchors that keep them apart.
    /// </summary>
    public static IReadOnlyList<int[]> Anchors(Context context, IEnumerable<string> prompts, IEnumerable<string> questions, int tokens = 24)
    {
        var model = context.Model;
        var anchors = new List<int[]>();
        foreach (string prompt in prompts)
        {
            context.Clear();
            int[] asked = model.Tokenize(prompt);
            var written = Generation.Run(context, asked, SamplerSettings.Greedy, tokens);
            anchors.Add([.. asked, .. model.Tokenize(written.Text, addSpecial: false, parseSpecial: false)]);
        }
        foreach (string question in questions)
        {
            context.Clear();
            int[] asked = model.Tokenize(model.ApplyChatTemplate([ChatMessage.User(question)], addAssistant: true));
            var written = Generation.Run(context, asked, SamplerSettings.Greedy, tokens);
            anchors.Add([.. asked, .. model.Tokenize(written.Text, addSpecial: false, parseSpecial: false)]);
        }
        context.Clear();
        return anchors;
    }

    /// <summary>The trained factors as a standard GGUF LoRA adapter (F32, alpha = rank) for <paramref name="architecture"/>.</summary>
    public static void WriteAdapter(string path, string architecture, IReadOnlyList<LoraFactors> factors) =>
        LoraAdapterFile.Write(path, architecture,
            [.. factors.Select(f => new LoraPair(f.Weight, f.InputDim, f.OutputDim, f.Rank, f.A, f.B))]);
}
