namespace SleepingLlm.Eval;

/// <summary>
/// The measures of one memory mode after <paramref name="Facts"/> facts. Recall is greedy chat: the
/// reply to the fact's question (chat) and to each paraphrase sent as the user message must contain
/// the object. Locality is <see cref="Eval.Locality"/>'s measure on other people's chat questions
/// (people sharing no name with a remembered subject): the share whose reply starts with the bare
/// model's first token, and the next-token KL, with what the mode adds; namesake locality the same on
/// made-up namesakes of remembered subjects (reports from before these were added read null there). Tokens added: the chat prompt's tokens beyond the bare model's for the same question. Time to
/// first token (retrieval included, from an empty cache) and decode speed are medians over the first
/// questions. Disk: the memory database as this mode needs it, compacted.
/// </summary>
/// <param name="Problem">Why the mode could not be measured (e.g. its system prompt outgrew the context); the measures are then null.</param>
public sealed record ModePoint(string Mode, int Facts, double? ChatRecall, double? ParaphraseRecall, double? Locality,
    double? PromptTokensAdded, double? TimeToFirstTokenMs, double? DecodeTokensPerSecond, long DiskBytes, string? Problem = null,
    double? LocalityDivergence = null, double? LocalityFirstToken = null, double? NamesakeLocality = null, double? NamesakeDivergence = null);

/// <summary>One fact's chat answer in one mode, after the last checkpoint.</summary>
public sealed record ModeAnswer(string Mode, string Id, string Object, bool Chat, string ChatAnswer, double Paraphrase);

/// <summary>What <c>eval --modes</c> writes as JSON.</summary>
public sealed record ModesReport
{
    public required string Model { get; init; }
    public required int Facts { get; init; }
    public required IReadOnlyList<string> Modes { get; init; }
    public required int RagCount { get; init; }
    public required int Threads { get; init; }
    /// <summary>Where the weights came from: the folder given with --memory, or "written" by this run; null without weights.</summary>
    public string? WeightsMemory { get; init; }
    public required int LocalityQuestions { get; init; }
    public int NamesakeQuestions { get; init; }
    public required int TimedQuestions { get; init; }
    /// <summary>Every mode at every checkpoint (one per run without --curve), in that order.</summary>
    public required IReadOnlyList<ModePoint> Points { get; init; }
    public required IReadOnlyList<ModeAnswer> Answers { get; init; }
}
