using SleepingLlm.Inference;

namespace SleepingLlm.Chat;

/// <summary>How the chat samples its replies, as the <c>chat</c> command's options set it.</summary>
public sealed record ChatOptions(SamplerSettings Sampling, int MaxTokens);
