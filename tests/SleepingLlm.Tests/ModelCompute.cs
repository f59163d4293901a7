namespace SleepingLlm.Tests;

/// <summary>
/// The tests that run a model for long (writes, training, sleeps, whole chats, evals): one at a time, after the
/// rest, never beside each other. Each uses both cores, and two at once oversubscribe them: ggml's threads
/// spin at their barriers waiting for a descheduled peer, so side by side they ran several times slower
/// than one after the other (a 4-fact consolidation took 21 minutes in a full run, about 2 alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModelCompute
{
    public const string Name = "model compute";
}
