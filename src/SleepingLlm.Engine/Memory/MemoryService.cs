using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;
using SleepingLlm.Wake;

namespace SleepingLlm.Memory;

/// <summary>A fact written: its id in the store and what the edit took.</summary>
/// <param name="AdapterProblem">Why the running model does not have it yet (null: it has): the fact is stored,
/// and the adapter is rebuilt at the next write or start.</param>
public sealed record Remembered(long Id, long? Replaced, double ValueLoss, int ValueSteps, IReadOnlyList<double> Realised, TimeSpan Elapsed,
    TimeSpan ValueTime, string? AdapterProblem = null)
{
    /// <summary>The line a user is told when the store took the fact but the running model could not.</summary>
    public string? Notice => AdapterProblem is null ? null
        : $"#{Id} is stored, but the running model could not take it yet ({AdapterProblem}); it applies at the next write or start";
}

/// <summary>
/// The memory of one base model: the store, the MEMIT editor, and the adapter the running context
/// uses. Every write goes store-first (one transaction), then the adapter is rebuilt from the store
/// and swapped in, so what runs is always what is stored. Engine thread only.
/// </summary>
public sealed partial class MemoryService : IDisposable
{
    readonly Model model;
    readonly Context context;
    readonly MemoryStore store;
    readonly string cacheDirectory;
    readonly Func<Corpus> corpus;
    Backend? backend;
    ModelWeights? weights;
    Editor? editor;
    AdapterSet adapters = AdapterSet.None;
    /// <summary>The store changed but the running adapter could not be rebuilt: retried before the next change.</summary>
    bool adapterStale;

    MemoryService(Model model, Context context, MemoryStore store, WakeSettings settings, string cacheDirectory, Func<Corpus> corpus)
    {
        this.model = model;
        this.context = context;
        this.store = store;
        Settings = settings;
        this.cacheDirectory = cacheDirectory;
        this.corpus = corpus;
    }

    public WakeSettings Settings { get; }
    public MemoryStore Store => store;
    public string Architecture { get; private init; } = "";

    /// <summary>Key statistics are shared by every store of a model: they depend on the model and the corpus only.</summary>
    public static string DefaultCacheDirectory => UserData.Sub("cache");

    /// <summary>Opens the model's store and applies its memories to <paramref name="context"/>.</summary>
    public static MemoryService Open(Model model, Context context, string? directory, Func<Corpus>? corpus = null,
        WakeSettings? settings = null, string? cacheDirectory = null)
    {
        cacheDirectory ??= DefaultCacheDirectory;
        string sha = Models.ModelIdentity.Sha256(model.Path, cacheDirectory);
        var info = Models.ModelInfo.Read(model.Path);
        var store = MemoryStore.Open(directory ?? MemoryStore.DefaultDirectory, sha, Path.GetFileName(model.Path));
        var service = new MemoryService(model, context, store, settings ?? WakeSettings.For(info.LayerCount),
            cacheDirectory, corpus ?? Corpus.SelfGenerated) { Architecture = info.Architecture, InterruptedSleep = store.InterruptedSleep };
        // Adapter files are temporary (llama.cpp has read them once loaded): any left by a killed process go.
        AdapterSet.RemoveStale(store.AdapterDirectory);
        try { service.ApplyAdapter(); }
        catch
        {
            service.Dispose();
            throw;
        }
        return service;
    }

    public Remembered Remember(Fact fact, IReadOnlyList<string>? paraphrases = null, IProgress<string>? progress = null)
    {
        fact.Validate();
        RetryStaleAdapter();
        var editor = Editor(progress);
        var previous = store.Find(fact.Subject, fact.Relation).FirstOrDefault();
        // One subject, one key: its other facts are solved together with the new one (one δ for all
        // of them) and their old columns dropped; earlier memories of other subjects stay in the model
        // and their keys are constraints.
        // A fact the user asks for is keyed on its questions' words, so it is written with the facts asked on
        // the same words only ("my sister"): the user's facts are never one group re-solved on every write.
        var subject = SolvedWith(fact.Subject, fact.Relation, store.ActiveFacts()).Where(f => f.Id != previous?.Id).ToList();
        var group = subject.Select(f => f.ToFact()).Append(fact).ToList();
        var excluded = subject.Select(f => f.Id).Append(previous?.Id ?? -1).ToHashSet();
        progress?.Report($"writing \"{fact.Subject} {fact.Relation} {fact.Object}\"" + (subject.Count > 0 ? $" with {subject.Count} more about {fact.Subject}" : ""));
        var edit = editor.Write(group, Columns(excluded), layer => ConstraintKeys(layer, excluded), ConsolidatedFactors());
        var newFact = new NewFact(fact.Subject, fact.Relation, fact.Object, fact.Prompt, fact.Question, paraphrases);
        var factors = edit.Columns.Select(c => new LayerFactor(c.Layer, c.A, c.B)).ToList();
        var keys = edit.Keys.Select(k => new LayerKey(k.Layer, k.Key)).ToList();
        var absorbed = subject.Select(f => f.Id).ToList();
        long id = previous is null
            ? store.AddFact(newFact, factors, keys, absorbed)
            : store.Replace(previous.Id, newFact, factors, keys, absorbed);
        return new Remembered(id, previous?.Id, edit.Value.Loss, edit.Value.Steps, edit.Realised, edit.Elapsed, edit.ValueTime, TryApplyAdapter());
    }

    /// <summary>
    /// The active facts one edit holds with a fact of this subject and relation: the subject's (one key, one δ), or for
    /// a fact the user asks for, those asked on the same words ("my sister"), so the user's facts are never one group.
    /// </summary>
    static List<StoredFact> SolvedWith(string subject, string relation, IReadOnlyList<StoredFact> active)
    {
        string? asked = Conversation.UserProfile.GroupOf(subject, relation);
        return [.. active.Where(f => asked is null
            ? !f.IsAsked && string.Equals(f.Subject, subject, StringComparison.OrdinalIgnoreCase)
            : Conversation.UserProfile.GroupOf(f.Subject, f.Relation) == asked)];
    }

    /// <summary>Sleep's adapter, which llama.cpp runs beside the edits: a write solves on the model as served.</summary>
    IReadOnlyList<Kernels.LoraFactors>? ConsolidatedFactors() =>
        store.Consolidated() is { } consolidated ? SleepingLlm.Sleep.Consolidation.ReadAdapter(consolidated.Adapter) : null;

    /// <summary>
    /// Stores a fact as text only (no edit): what a prompt-side memory serves. A fact of the same subject
    /// and relation is replaced, and the adapter rebuilt in case the old one had columns.
    /// </summary>
    public Remembered RememberText(Fact fact)
    {
        fact.Validate();
        RetryStaleAdapter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var previous = store.Find(fact.Subject, fact.Relation).FirstOrDefault();
        var newFact = new NewFact(fact.Subject, fact.Relation, fact.Object, fact.Prompt, fact.Question);
        long id = previous is null ? store.AddFact(newFact, [], []) : store.Replace(previous.Id, newFact, [], [], []);
        return new Remembered(id, previous?.Id, 0, 0, [], clock.Elapsed, TimeSpan.Zero, previous is null ? null : TryApplyAdapter());
    }

    /// <exception cref="SleepingLlmException">forgotten in the store, but the running model could not drop it yet.</exception>
    public bool Forget(long id)
    {
        RetryStaleAdapter();
        bool forgotten = store.Forget(id);
        if (forgotten && TryApplyAdapter() is { } problem)
            throw new SleepingLlmException($"#{id} is forgotten in the store, but the running model keeps it until the next write or start ({problem})");
        return forgotten;
    }

    /// <summary>
    /// /undo: forgets the newest memory the store took since it was opened that is still active, and
    /// returns it (null: none). A fact it replaced stays replaced: bringing it back would mean a new write.
    /// </summary>
    public StoredFact? Undo()
    {
        var active = store.ActiveFacts().ToDictionary(f => f.Id);
        foreach (long id in store.WrittenThisSession.Reverse())
            if (active.TryGetValue(id, out var fact) && Forget(id)) return fact;
        return null;
    }

    /// <summary>/forget TEXT: forgets the one fact the text names, or nothing when it names several or none.</summary>
    public ForgetByText Forget(string text)
    {
        var matches = FactMatch.Find(store.ActiveFacts(), text);
        return new ForgetByText(matches, matches.Count == 1 && Forget(matches[0].Id));
    }

    /// <summary>When the last sleep was interrupted (the process died in it), as found at open; null: none.</summary>
    public DateTimeOffset? InterruptedSleep { get; private init; }

    /// <summary>
    /// A sleep (<see cref="Sleep.SleepCycle"/>): audit, consolidate into LoRA, dissolve, gate; committed whole or
    /// rolled back. Afterwards the context runs what is stored, whichever way it went.
    /// </summary>
    public Sleep.SleepReport Sleep(Sleep.SleepOptions options, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        RetryStaleAdapter();
        try
        {
            return SleepingLlm.Sleep.SleepCycle.Run(model, context, store, Architecture, adapters, options, progress, cancel,
                layers => KeyFactors(layers, progress), Refresh);
        }
        finally
        {
            ApplyAdapter();
        }
    }

    /// <summary>
    /// The Cholesky factors of the given layers' key statistics on the wake's text (computed once, then cached): what
    /// holds the consolidated adapter's change to ordinary text down (<see cref="Kernels.LoraOptions.KeyWeight"/>).
    /// </summary>
    IReadOnlyDictionary<int, float[]> KeyFactors(IReadOnlyList<int> layers, IProgress<string>? progress)
    {
        var cache = new Covariance(cacheDirectory, progress is null ? null : progress.Report);
        var text = corpus();
        int tokens = Settings.CovarianceTokens;
        var eta = new Sleep.Eta(100);
        cache.Ensure(model, store.ModelSha256, layers, text, tokens,
            progress is null ? null : new InlineProgress<double>(f => progress.Report($"key statistics of layers {layers[0]}-{layers[^1]} (once; cached): {f:P0}{eta.At(f)}")));
        return layers.ToDictionary(l => l, l => cache.Factor(store.ModelSha256, l, text, tokens, lambda: 1).Columns());
    }

    /// <summary>Writes the consolidated adapter sleep trained to <paramref name="path"/>; null when there is none yet.</summary>
    public string? ExportConsolidated(string path)
    {
        if (store.Consolidated() is not { } consolidated) return null;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, consolidated.Adapter);
        return path;
    }

    public MemorySnapshot Snapshot() =>
        new([.. store.ActiveFacts().Select(f => f.ToMemoryFact())], AdapterBuilder.EditNorms(store),
            SleepingLlm.Sleep.SleepPressure.Of(store.FactsInWeights(), new SleepingLlm.Sleep.SleepOptions().EditBudget));

    /// <summary>Writes the adapter of all active memories to <paramref name="path"/> (for other llama.cpp tools).</summary>
    public string? Export(string path) => AdapterBuilder.Build(store, Architecture, path);

    List<EditColumn> Columns(HashSet<long> excluded) =>
    [
        .. store.AllActiveFactors().SelectMany(layer => layer.Facts
            .Where(f => !excluded.Contains(f.FactId))
            .Select(f => new EditColumn(layer.Layer, f.A, f.B, f.Scale))),
    ];

    IReadOnlyList<ConstraintKey> ConstraintKeys(int layer, HashSet<long> excluded) =>
    [
        .. store.ActiveFacts().Where(f => !excluded.Contains(f.Id))
            .SelectMany(f => store.Keys(f.Id)).Where(k => k.Layer == layer).Select(k => new ConstraintKey(k.Id, k.K)),
    ];

    /// <summary>Where the memory acts on <paramref name="text"/>: per token, what the edit layers add (<see cref="Firing"/>).</summary>
    public IReadOnlyList<TokenFiring> Firing(string text)
    {
        var (w, b) = Weights();
        return Wake.Firing.Of(model, w, b, Columns([]), text);
    }

    (ModelWeights, Backend) Weights()
    {
        backend ??= Backend.Cpu(model.Options.Threads);
        // v* runs forward and backward through the layers after the critical one: F32 there is ~2.5× faster
        // where it fits the widening budget (SmolLM2); a 3B model's tail is read as stored.
        weights ??= ModelWeights.LoadForBackward(model.Path, backend, Settings.CriticalLayer + 1, served: ServedWeights.Of(model));
        return (weights, backend);
    }

    /// <summary>
    /// Computes (or loads) what the first write needs, reporting the key statistics' progress (0..1) to
    /// <paramref name="fraction"/> after each step (Engine.PrepareInBackground runs the chat's jobs there).
    /// </summary>
    public void Prepare(Action<double> fraction) => Editor(null, fraction);

    /// <summary>The most memory the editor keeps its layers' factors in; beyond it (a 3B model: 0.5 GB a layer), one at a time.</summary>
    const long FactorBudget = 256L << 20;

    Editor Editor(IProgress<string>? progress, Action<double>? fraction = null)
    {
        if (editor is not null) return editor;
        var (weights, backend) = Weights();
        progress?.Report("key statistics (first write only; cached afterwards)");
        var cache = new Covariance(cacheDirectory, progress is null ? null : progress.Report);
        var text = corpus();
        int tokens = Settings.CovarianceTokens;
        var eta = new Sleep.Eta(100);
        fraction ??= progress is null ? null : f => progress.Report($"key statistics: {f:P0}{eta.At(f)}");
        bool computed = cache.Ensure(model, store.ModelSha256, Settings.Layers, text, tokens,
            fraction is null ? null : new InlineProgress<double>(fraction));
        // The statistics leave their sums and capture buffers (0.7–1 GB at 3B) as garbage on the large-object
        // heap, which the GC would otherwise keep committed through v*: once per model, give it back.
        if (computed) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Templates templates;
        using (var scratch = new Context(model, TemplateContext)) templates = Templates.Generate(scratch, Settings.ContextPrefixes);
        string? subjects = null, chat = null;
        if (Settings.SubjectWeight > 0)
        {
            progress?.Report("other subjects' key statistics (first write only; cached afterwards)");
            subjects = $"subjects-{Settings.SubjectNames}-p{Settings.ContextPrefixes}";
            cache.EnsureOther(store.ModelSha256, subjects, Settings.Layers,
                () => SubjectCovariance.Compute(model, weights, backend, Settings.Layers, templates, SubjectCovariance.MadeUpNames(Settings.SubjectNames)));
        }
        if (Settings.ChatWeight > 0 && model.ChatTemplate is not null)
        {
            progress?.Report("chat turns' key statistics (first write only; cached afterwards)");
            chat = $"chat-{ChatCovariance.Turns.Count}";
            cache.EnsureOther(store.ModelSha256, chat, Settings.Layers, () => ChatCovariance.Compute(model, weights, backend, Settings.Layers));
        }
        // The made-up names' and chat turns' statistics join the text's before the one n_ff³ step, whose result is cached under their weights.
        void AddOthers(int layer, double[] values, int n)
        {
            if (subjects is not null) cache.AddOther(store.ModelSha256, subjects, layer, values, n, Settings.SubjectWeight);
            if (chat is not null) cache.AddOther(store.ModelSha256, chat, layer, values, n, Settings.ChatWeight);
        }
        string? othersId = subjects is null && chat is null ? null : string.Join("-", new[]
        {
            subjects is null ? null : FormattableString.Invariant($"subjects{Settings.SubjectNames}p{Settings.ContextPrefixes}x{Settings.SubjectWeight}"),
            chat is null ? null : FormattableString.Invariant($"chat{ChatCovariance.Turns.Count}x{Settings.ChatWeight}"),
        }.OfType<string>());
        IKeyInverse Inverse(int layer, double[]? reuse)
        {
            if (Settings.NullSpace <= 0)
                return cache.Factor(store.ModelSha256, layer, text, tokens, Settings.Lambda,
                    progress is null ? null : new InlineProgress<double>(f => progress.Report($"layer {layer}: factoring the key statistics {f:P0}")), reuse,
                    othersId is null ? null : (othersId, (values, n) => AddOthers(layer, values, n)));
            var (values, n) = cache.Load(store.ModelSha256, layer, text, tokens);
            AddOthers(layer, values, n);
            var covariance = Matrix<double>.Build.Dense(n, n, (i, j) => values[(long)i * n + j]);
            var (inverse, dimensions) = Solve.NullSpaceInverse(covariance, Settings.Lambda, Settings.NullSpace);
            progress?.Report($"layer {layer}: the edit may use {dimensions} of {inverse.RowCount} key directions (null space)");
            return new DenseKeyInverse(inverse);
        }
        int dimension = weights.Hparams.FeedForwardLength;
        bool keepAll = 8L * dimension * dimension * Settings.Layers.Count <= FactorBudget;
        var inverses = new Dictionary<int, IKeyInverse>();
        editor = new Editor(model, weights, backend, Settings, templates, layer =>
        {
            if (inverses.TryGetValue(layer, out var inverse)) return inverse;
            double[]? reuse = null;
            if (!keepAll)
            {
                reuse = inverses.Values.OfType<CovarianceFactor>().FirstOrDefault()?.Release();
                inverses.Clear();
            }
            return inverses[layer] = Inverse(layer, reuse);
        });
        return editor;
    }

    /// <summary>Tokens of the context the templates' prefixes are written in (they are a few sentences).</summary>
    const int TemplateContext = 512;

    /// <summary>Test hook: runs inside every adapter rebuild, before the swap (a test throws from it).</summary>
    internal Action? BeforeAdapterSwap { get; set; }

    void RetryStaleAdapter()
    {
        if (adapterStale) TryApplyAdapter();
    }

    /// <summary>The store is already committed: a failed rebuild leaves the old adapter running and says why (null: applied).</summary>
    string? TryApplyAdapter()
    {
        try
        {
            ApplyAdapter();
            adapterStale = false;
            return null;
        }
        catch (Exception e) when (e is SleepingLlmException or IOException or UnauthorizedAccessException)
        {
            adapterStale = true;
            return e.Message;
        }
    }

    /// <summary>Rebuilds the adapters from the store and swaps them into the context (no model reload).</summary>
    void ApplyAdapter()
    {
        var next = AdapterSet.Load(model, store, Architecture);
        try
        {
            BeforeAdapterSwap?.Invoke();
            context.SetAdapters(next.Entries);
        }
        catch
        {
            next.Dispose();
            throw;
        }
        adapters.Dispose();
        adapters = next;
    }

    public void Dispose()
    {
        adapters.Dispose();
        weights?.Dispose();
        backend?.Dispose();
        store.Dispose();
    }
}
