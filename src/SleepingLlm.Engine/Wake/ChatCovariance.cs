using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>
/// E[k kᵀ] over every token of ordinary user turns under the chat template (the system line, the template's
/// own tokens, the user's words, the assistant's header). Text covariance has few such contexts, so (λC)⁻¹
/// amplifies them and an edit keyed inside a user's turn fires a little on every token of every turn
/// (measured: 15–47 against hidden states of 100–170; docs/conversation-memory.md). Added to the solve's
/// covariance (<see cref="WakeSettings.ChatWeight"/>) it makes an edit fire on what is particular to its key.
/// The turns are none of the chat-locality eval's. Engine thread only.
/// </summary>
public static class ChatCovariance
{
    const int PerGraph = 8;

    public static readonly IReadOnlyList<string> Turns =
    [
        "Hi, how is it going?", "Could you explain how a refrigerator keeps food cold?", "What's a good name for a sailing boat?",
        "Tell me about the history of the bicycle.", "How long should I boil an egg?", "Can you list some healthy snacks?",
        "What is the population of Canada?", "Why do cats purr?", "Please write a limerick about a frog.", "How do volcanoes form?",
        "What's the best way to learn to juggle?", "Explain what inflation means.", "Which planet has the most moons?",
        "How do I change a flat tyre?", "What rhymes with orange?", "Give me a recipe for pancakes.", "What is machine learning?",
        "Where is the Great Barrier Reef?", "How does a compass work?", "What time zone is Tokyo in?",
        "Can you suggest a board game for four people?", "I need ideas for a birthday card.", "Where can I buy fresh bread around here?",
        "What should I do if I can't sleep?", "My plant's leaves are turning yellow, why?", "I want to start running, any tips?",
        "How do I get better at chess?", "What is my best option for a cheap flight?", "I forgot how to tie a bowline knot.",
        "Do you know any good podcasts?", "How many bones are in the human body?", "What is the longest river in Africa?",
        "Summarize the story of Hamlet.", "Why is the ocean salty?", "What does DNA stand for?", "Is it going to rain tomorrow?",
        "What's the difference between weather and climate?", "Recommend a movie for a rainy evening.", "How do I say hello in Japanese?",
        "Thank you, that was helpful!",
    ];

    /// <summary>Each layer's second moment over every token of <see cref="Turns"/> asked under the chat template.</summary>
    public static CaptureSums Compute(Model model, ModelWeights weights, Backend backend, IReadOnlyList<int> layers)
    {
        var tails = Turns.Select(t =>
        {
            int[] tokens = model.Tokenize(model.ApplyChatTemplate([ChatMessage.User(t)], addAssistant: true));
            return SequenceTail.Whole(tokens, [.. Enumerable.Range(0, tokens.Length)]);
        }).ToList();
        return Keys.SecondMoment(weights, backend, layers, tails, PerGraph);
    }
}
