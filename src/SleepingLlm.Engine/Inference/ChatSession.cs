namespace SleepingLlm.Inference;

/// <summary>
/// A conversation under the model's chat template. Each turn formats the whole conversation and lets
/// <see cref="Context.Prefill"/> reuse the cached prefix; the oldest turns are dropped when the
/// window is full. Engine thread only.
/// </summary>
public sealed class ChatSession(Context context, string? systemPrompt = null)
{
    readonly List<ChatMessage> messages = systemPrompt is null ? [] : [ChatMessage.System(systemPrompt)];

    public IReadOnlyList<ChatMessage> Messages => messages;

    /// <summary>The prompt the model sees for the next reply (used by tests and by the memory layer).</summary>
    public string FormatPrompt(IReadOnlyList<ChatMessage> conversation) =>
        context.Model.ApplyChatTemplate(conversation, addAssistant: true);

    public GenerationResult Reply(string userText, SamplerSettings settings, int maxTokens,
        Action<string>? onText = null, CancellationToken cancel = default)
    {
        messages.Add(ChatMessage.User(userText));
        int[] prompt = Fit(maxTokens);
        var result = Generation.Run(context, prompt, settings, maxTokens, onText, cancel);
        messages.Add(ChatMessage.Assistant(result.Text.Trim()));
        return result;
    }

    /// <summary>Drops the oldest turns (never the system prompt or the new message) until the reply fits.</summary>
    int[] Fit(int maxTokens)
    {
        int budget = context.Size - Math.Min(maxTokens, context.Size / 2);
        while (true)
        {
            int[] prompt = context.Model.Tokenize(FormatPrompt(messages));
            int first = messages[0].Role == "system" ? 1 : 0;
            if (prompt.Length <= budget || messages.Count - first <= 1)
            {
                if (prompt.Length > budget)
                    throw new SleepingLlmException($"the message is too long for the context of {context.Size} tokens" +
                        (first == 1 ? " with the system prompt (a memory mode that puts every fact there needs room for them: try rag)" : ""));
                return prompt;
            }
            messages.RemoveAt(first);
        }
    }

    /// <summary>Sets, replaces or (null) removes the system prompt, e.g. the facts retrieved for the next message.</summary>
    public void UseSystemPrompt(string? text)
    {
        if (messages.Count > 0 && messages[0].Role == "system") messages.RemoveAt(0);
        if (text is not null) messages.Insert(0, ChatMessage.System(text));
    }

    public void Reset()
    {
        messages.RemoveAll(m => m.Role != "system");
    }
}
