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
        return Answer(model, fact.Question!, question, $"{fact.Prompt} {fact.Object.Trim()}.");
    }

    static TrainingSequence Answer(Model model, string userText, string question, string reply)
    {
        string full = model.ApplyChatTemplate([ChatMessage.User(userText), ChatMessage.Assistant(reply)], addAssistant: false);
        if (!full.StartsWith(question, StringComparison.Ordinal))
            throw new SleepingLlmException("the chat template does not continue the question's prompt with the answer");
        // Tokenized as the chat meets it: the prompt as ChatSession sends it, the answer on its own after it,
        // up to the end-of-turn token but not including it: trained to end a turn after one short sentence,
        // the model ends its other replies early too (perplexity of its own replies +5–8% in 10–20 steps).
        int[] asked = model.Tokenize(question);
        int[] answer = model.Tokenize(full[question.Length..], addSpecial: false);
        int end = Array.FindIndex(answer, model.IsEndOfGeneration);
        return new TrainingSequence([.. asked, .. end >= 0 ? answer[..end] : answer], asked.Length);
    }

    /// <summary>The raw prompt completed by the object.</summary>
    public static TrainingSequence RawCompletion(Model model, Fact fact)
    {
        var (tokens, start) = Positions.WithObject(model, fact.Prompt, fact.Object);
        return new TrainingSequence(tokens, start);
    }

    /// <summary>The answer to one of the user's own questions: the object first, as wake trains it (<see cref="Fact.Asked"/>).</summary>
    public static TrainingSequence AskedAnswer(Model model, AskedQuestion question, string obj) =>
        Answer(model, question.Text, Templates.Asked(model, question), $"{obj.Trim()}.");

    /// <summary>Every fact's raw completion and its chat answer where it has a question; a fact the user asks for, each of its questions.</summary>
    public static IReadOnlyList<TrainingSequence> Sequences(Model model, IEnumerable<Fact> facts) =>
        [.. facts.SelectMany(f => f.IsAsked ? f.Asked!.Select(q => AskedAnswer(model, q, f.Object))
            : ChatAnswer(model, f) is { } chat ? new[] { RawCompletion(model, f), chat } : [RawCompletion(model, f)])];

    /// <summary>
    /// Anchors the model wrote itself: its greedy continuation of each raw prompt and its greedy chat answer
    /// to each question, held by the KL over what it wrote, so both the completion and the chat behaviour
    /// stay. Prompts and questions of other subjects (namesakes included) keep the facts to their own people.
    /// </summary>
    public static IReadOnlyList<TrainingSequence> Anchors(Context context, IEnumerable<string> prompts, IEnumerable<string> questions, int tokens = 16)
    {
        var model = context.Model;
        var texts = prompts.Concat(questions.Select(q => model.ApplyChatTemplate([ChatMessage.User(q)], addAssistant: true)));
        var anchors = new List<TrainingSequence>();
        foreach (string text in texts)
        {
            context.Clear();
            int[] asked = model.Tokenize(text);
            int[] written = model.Tokenize(Generation.Run(context, asked, SamplerSettings.Greedy, tokens).Text, addSpecial: false, parseSpecial: false);
            if (written.Length > 0) anchors.Add(new TrainingSequence([.. asked, .. written], asked.Length));
        }
        context.Clear();
        return anchors;
    }

    /// <summary>
    /// The factors of a consolidated adapter (<see cref="WriteAdapter"/>'s GGUF bytes), for the next sleep to
    /// continue from; a pair on a weight that is not a block's ("blk.N.name.weight") is left out.
    /// </summary>
    public static IReadOnlyList<LoraFactors> ReadAdapter(byte[] adapter) =>
        [.. LoraAdapterFile.Read(adapter, "the consolidated adapter").Select(p => p.Weight.Split('.') is ["blk", var layer, var matrix, "weight"]
                && int.TryParse(layer, System.Globalization.CultureInfo.InvariantCulture, out int l)
                ? new LoraFactors(l, matrix, p.InputDim, p.OutputDim, p.Rank, p.A, p.B) : null).OfType<LoraFactors>()];

    /// <summary>The trained factors as a standard GGUF LoRA adapter (F32, alpha = rank) for <paramref name="architecture"/>.</summary>
    public static void WriteAdapter(string path, string architecture, IReadOnlyList<LoraFactors> factors) =>
        LoraAdapterFile.Write(path, architecture,
            [.. factors.Select(f => new LoraPair(f.Weight, f.InputDim, f.OutputDim, f.Rank, f.A, f.B))]);
}
