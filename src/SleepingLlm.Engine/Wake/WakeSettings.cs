namespace SleepingLlm.Wake;

/// <summary>MEMIT's knobs for one model. Defaults follow the layer count; the values were chosen by measurement (see README).</summary>
public sealed record WakeSettings
{
    /// <summary>Consecutive edit layers, ascending; the last is where v* is optimised.</summary>
    public required IReadOnlyList<int> Layers { get; init; }
    /// <summary>Weight of the preserved-knowledge covariance in the solve. Scales with n_ff (memit.md).</summary>
    public double Lambda { get; init; } = 1500;
    /// <summary>Weight of earlier memories' keys in the solve beside the new ones (1: alike; see <see cref="Solve.LayerReusing"/>).</summary>
    public double ConstraintWeight { get; init; } = 1;
    /// <summary>
    /// AlphaEdit's null-space option (<see cref="Solve.NullSpaceInverse"/>): the edit only uses key directions
    /// where the covariance's eigenvalue is below this times its mean; 0: plain MEMIT.
    /// </summary>
    public double NullSpace { get; init; } = 0;
    public int ValueSteps { get; init; } = 25;
    public float ValueLearningRate { get; init; } = 4f;
    /// <summary>‖δ‖ is clamped to this many times ‖h‖ at the edit layer.</summary>
    public float ClampFactor { get; init; } = 1f;
    public float KlFactor { get; init; } = 0.0625f;
    public float WeightDecay { get; init; } = 1e-3f;
    /// <summary>v* stops once the mean NLL of the object is below this.</summary>
    public float StopLoss { get; init; } = 0.1f;
    /// <summary>A second edit column per fact keyed at the subject inside the user's chat turn (off: the raw key only).</summary>
    public bool ChatKeys { get; init; } = true;
    /// <summary>Which chat answers v* trains after the user's question (see <see cref="ChatAnswer"/>).</summary>
    public ChatAnswer ChatAnswer { get; init; } = ChatAnswer.Direct;
    /// <summary>v* also trains the fact's question as plain text ("Question: … Answer:" → the object), for paraphrases.</summary>
    public bool QuestionForm { get; init; } = true;
    /// <summary>How many self-written prefixes each raw prompt is also keyed and trained after (0..5).</summary>
    public int ContextPrefixes { get; init; } = 3;
    /// <summary>
    /// Weight of other subjects' keys (made-up names, <see cref="SubjectCovariance"/>) beside the text
    /// covariance in the solve: what keeps an edit off other people's facts. 0 turns it off.
    /// </summary>
    public double SubjectWeight { get; init; } = 0;
    public int SubjectNames { get; init; } = 200;
    /// <summary>
    /// Weight of ordinary chat turns' keys (every token, <see cref="ChatCovariance"/>) beside the text covariance:
    /// what keeps an edit keyed inside a user's turn off every other turn. 0 turns it off.
    /// Measured on chat-facts-fresh.json: 1 took the chat locality's first token from 0.78 to 0.94 and its median KL from 0.059 to 0.017 nats.
    /// </summary>
    public double ChatWeight { get; init; } = 1;
    /// <summary>Made-up namesakes (same last name) whose keys the edit must leave alone (<see cref="Decoys"/>); 0: none.</summary>
    public int Decoys { get; init; } = 0;
    /// <summary>
    /// Weight in the solve of a user fact's questions asked about someone else, held unedited (<see cref="Wake.Decoys.OtherPerson"/>);
    /// 0 turns them off. Measured on chat-facts-fresh.json (docs/conversation-memory.md): 1 and 0.3 both took the mean chat-locality
    /// KL from 0.075 to 0.03 nats; 0.3 kept more recall (0.88 against 0.85).
    /// </summary>
    public double OtherPersonWeight { get; init; } = 0.3;
    /// <summary>How much a namesake's key counts in the solve beside the subject's own.</summary>
    public double DecoyWeight { get; init; } = 1;
    /// <summary>Tokens of text for each layer's key covariance.</summary>
    public int CovarianceTokens { get; init; } = 20_000;

    /// <summary>Layers at 13–27% of the depth: 4–8 for a 30-layer model (memit.md: later layers cost locality).</summary>
    public static WakeSettings For(int layerCount)
    {
        int first = Math.Max(1, (int)Math.Round(layerCount * 0.13)), count = Math.Max(1, (int)Math.Round(layerCount * 0.17));
        return new WakeSettings { Layers = [.. Enumerable.Range(first, count)] };
    }

    public int CriticalLayer => Layers[^1];
}

/// <summary>The assistant's answers v* trains in the chat form.</summary>
public enum ChatAnswer
{
    /// <summary>The answer starts with the object ("Citroen."): what the model says once it knows.</summary>
    Direct,
    /// <summary>The answer restates the prompt first ("Rafferty Dunmore drives a Citroen."), copying the name.</summary>
    Restated,
    Both,
}
