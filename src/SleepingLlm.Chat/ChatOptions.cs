using SleepingLlm.Inference;

namespace SleepingLlm.Chat;

/// <summary>How the chat samples its replies, as the <c>chat</c> command's options set it.</summary>
/// <param name="Confirm">Each fact extracted from a user turn waits for /yes or /no before it is written.</param>
public sealed record ChatOptions(SamplerSettings Sampling, int MaxTokens, bool Confirm = false);
