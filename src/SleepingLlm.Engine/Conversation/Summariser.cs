using SleepingLlm.Inference;

namespace SleepingLlm.Conversation;

/// <summary>Condenses turns that leave the context window into a few sentences of history.</summary>
public interface ISummariser
{
    /// <summary>The most tokens a summary takes (the window keeps room for one).</summary>
    int MaxTokens { get; }

    /// <summary>The most tokens of turns handed over at once; a longer stretch is summarised in parts.</summary>
    int MaxInputTokens { get; }

    /// <summary>Takes turns only: a summary is never summarised again.</summary>
    string Summarise(IReadOnlyList<ConversationTurn> turns);
}

/// <summary>The model summarises the turns itself, greedily, in the same context as the chat. Engine thread only.</summary>
/// <remarks>
/// Using the chat's context costs nothing extra in memory: the prompt after a slide differs from the
/// cached one right after the system prompt anyway, so <see cref="Context.Prefill"/> decodes it afresh.
/// </remarks>
public sealed class ModelSummariser(Context context, int maxTokens = ModelSummariser.DefaultMaxTokens) : ISummariser
{
    public const int DefaultMaxTokens = 64;

    const string Instruction =
        "Summarise this conversation in at most three sentences. Keep names, numbers, and what the user said about themselves.";

    public int MaxTokens => maxTokens;

    /// <summary>Half the context, so that the instruction and the summary always fit beside the turns.</summary>
    public int MaxInputTokens => context.Size / 2;

    public string Summarise(IReadOnlyList<ConversationTurn> turns)
    {
        string dialogue = string.Join('\n', turns.Select(t => $"{(t.Role == "user" ? "User" : "Assistant")}: {Thoughts.Strip(t.Text)}"));
        int limit = context.Size - maxTokens;
        while (true)
        {
            int[] prompt = context.Model.Tokenize(context.Model.ApplyChatTemplate([ChatMessage.User($"{Instruction}\n\n{dialogue}")], addAssistant: true));
            if (prompt.Length <= limit)
                return Generation.Run(context, prompt, SamplerSettings.Greedy, maxTokens).Text.Trim();
            // One turn longer than the context: summarise what fits of it, its beginning.
            dialogue = dialogue[..(int)(dialogue.Length * (limit * 0.9 / prompt.Length))];
        }
    }
}
