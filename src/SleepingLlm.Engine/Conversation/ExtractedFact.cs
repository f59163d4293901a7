namespace SleepingLlm.Conversation;

/// <summary>Where an extracted fact came from.</summary>
public enum ExtractionSource { Pattern, Model }

/// <summary>
/// A (subject, relation, object) triple taken from one user turn. The relation is canonical (see
/// <see cref="UserRelations"/>); <see cref="Correction"/> marks a turn that corrects what the user
/// said before ("actually, I moved to Gdansk"), which the store turns into an update.
/// </summary>
public sealed record ExtractedFact(string Subject, string Relation, string Object, ExtractionSource Source, bool Correction = false)
{
    public override string ToString() => $"({Subject} | {Relation} | {Object})";
}
