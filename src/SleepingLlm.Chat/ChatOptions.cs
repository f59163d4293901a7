using SleepingLlm.Inference;

namespace SleepingLlm.Chat;

/// <summary>How the chat samples its replies, as the <c>chat</c> command's options set it.</summary>
/// <param name="Confirm">Each fact extracted from a user turn waits for /yes or /no before it is written.</param>
/// <param name="AutoSleep">The chat sleeps by itself when a write takes the sleep pressure over its threshold (<see cref="AutoSleep"/>).</param>
public sealed record ChatOptions(SamplerSettings Sampling, int MaxTokens, bool Confirm = false, bool AutoSleep = true);
