using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using SleepingLlm.Eval;
using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Cli;

/// <summary>
/// `remember` and `forget` killed with SIGKILL at points through their run leave a memory that opens,
/// with each fact wholly there (its factors and keys at every edit layer, a column of the exported
/// adapter that llama.cpp loads) or wholly absent. Damaged files are refused in one line. On the tiny
/// model, whose writes take a fraction of a second, so that many kills fit in a short test.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("sleepingllm-crash-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    string MemoryDirectory => Path.Combine(temp, "memory");

    /// <summary>The covariance cache is under the user data folder: one for the test, so the first write pays for it and later kills land in the edit and the commit.</summary>
    Dictionary<string, string> Environment => new() { ["XDG_DATA_HOME"] = Path.Combine(temp, "data") };

    string[] WithMemory(params string[] args) =>
        [.. args, "--model", TestModels.Stories260K, "--memory", MemoryDirectory, "--threads", "1"];

    static readonly IReadOnlyList<int> Layers = WakeSettings.For(Models.ModelInfo.Read(TestModels.Stories260K).LayerCount).Layers;

    static readonly string[] Names = ["Lily", "Tom", "Ben", "Sue"];
    static readonly string[] Families = ["Brown", "Green", "White", "Black", "Gray", "Stone", "Wood", "Hill", "Lake"];

    /// <summary>A facts file of one subject per name, all of family <paramref name="round"/>: subjects never repeat across rounds.</summary>
    string[] WriteFacts(int round, string path)
    {
        string[] subjects = [.. Names.Select(n => $"{n} {Families[round]}")];
        var facts = subjects.Select((s, i) => new { id = $"r{round}f{i}", subject = s, relation = "pet", @object = "cat", prompt = $"{s} had a pet" });
        File.WriteAllText(path, JsonSerializer.Serialize(new { facts }));
        return subjects;
    }

    CliProcess.Result Remember(string file) => CliProcess.Run(Environment, WithMemory("remember", "--file", file, "--corpus", WikiText.Path));

    (bool Killed, bool InsideWrite) RunAndKill(TimeSpan delay, params string[] args) =>
        CliProcess.RunAndKill(Environment, delay, line => line.StartsWith("writing \"", StringComparison.Ordinal), args);

    /// <summary>
    /// Where to kill, as shares of a whole run: one in the start-up, then most in the second half, where
    /// the edits and commits are (the first half is the runtime and the model loading), two of them seeded random.
    /// </summary>
    static IEnumerable<TimeSpan> KillPoints(TimeSpan duration)
    {
        var random = new Random(4);
        return new[] { 0.25, 0.6, 0.75, 0.9, 0.5 + random.NextDouble() / 2, 0.5 + random.NextDouble() / 2 }.Select(f => duration * f);
    }

    [Fact]
    public void Killed_remember_and_forget_leave_each_fact_whole_or_absent()
    {
        // The first write computes the key statistics; the second, timed, is what a killed write would have done.
        string warmFile = Path.Combine(temp, "facts0.json");
        var rounds = new List<string[]> { WriteFacts(0, warmFile) };
        var first = Remember(warmFile);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var clock = Stopwatch.StartNew();
        string timedFile = Path.Combine(temp, "facts1.json");
        rounds.Add(WriteFacts(1, timedFile));
        var timed = Remember(timedFile);
        var remember = clock.Elapsed;
        Assert.True(timed.ExitCode == 0, timed.Stderr);
        AssertWholeOrAbsent(rounds);

        int round = 2, insideWrite = 0;
        foreach (var delay in KillPoints(remember))
        {
            string file = Path.Combine(temp, $"facts{round}.json");
            rounds.Add(WriteFacts(round++, file));
            var (killed, inside) = RunAndKill(delay, WithMemory("remember", "--file", file, "--corpus", WikiText.Path));
            if (inside) insideWrite++;
            output.WriteLine($"remember killed at {delay.TotalSeconds:F2} s of {remember.TotalSeconds:F2} s: " +
                             (inside ? "killed inside a write" : killed ? "killed before the first write" : "had finished"));
            AssertWholeOrAbsent(rounds);
        }
        // A run whose kills all missed the writes would prove nothing.
        Assert.True(insideWrite > 0, "no kill landed inside a write");

        var ids = ActiveIds();
        clock.Restart();
        var forgot = CliProcess.Run(Environment, WithMemory("forget", ids[0].ToString()));
        var forget = clock.Elapsed;
        Assert.True(forgot.ExitCode == 0, forgot.Stderr);
        foreach (var (delay, id) in KillPoints(forget).Zip(ids.Skip(1)))
        {
            var (killed, _) = RunAndKill(delay, WithMemory("forget", id.ToString()));
            output.WriteLine($"forget #{id} killed at {delay.TotalSeconds:F2} s of {forget.TotalSeconds:F2} s: {(killed ? "killed" : "had finished")}");
            AssertWholeOrAbsent(rounds);
        }
    }

    long[] ActiveIds()
    {
        using var store = OpenStore();
        return [.. store.ActiveFacts().Select(f => f.Id)];
    }

    MemoryStore OpenStore()
    {
        string sha;
        using (var file = File.OpenRead(TestModels.Stories260K)) sha = Convert.ToHexStringLower(SHA256.HashData(file));
        return MemoryStore.Open(MemoryDirectory, sha, Path.GetFileName(TestModels.Stories260K));
    }

    /// <summary>The checks after a kill: the CLI lists the memory, the store holds whole facts only, the adapter has a column per fact and loads.</summary>
    void AssertWholeOrAbsent(IReadOnlyList<string[]> rounds)
    {
        var listed = CliProcess.Run(Environment, WithMemory("facts", "--json"));
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        using var json = JsonDocument.Parse(listed.Stdout);
        var listedSubjects = json.RootElement.EnumerateArray().Select(f => f.GetProperty("subject").GetString()!).Order();

        int active;
        using (var store = OpenStore())
        {
            var facts = store.ActiveFacts();
            active = facts.Count;
            Assert.Equal(facts.Select(f => f.Subject).Order(), listedSubjects);
            foreach (var fact in facts)
            {
                Assert.Equal(Layers, store.Factors(fact.Id).Select(f => f.Layer).Order());
                Assert.Equal(Layers, store.Keys(fact.Id).Select(k => k.Layer).Distinct().Order());
            }
            var written = new HashSet<string>();
            for (long id = 1; store.Get(id) is { } fact; id++)
            {
                written.Add(fact.Subject);
                // Forgotten facts keep nothing of their edit.
                if (fact.Status != FactStatus.Active) Assert.Empty(store.Factors(id));
            }
            // A file's facts are written in order, each in one transaction: a killed run leaves a prefix of them.
            foreach (var round in rounds)
                Assert.All(round.SkipWhile(written.Contains), s => Assert.DoesNotContain(s, written));
            output.WriteLine($"  {active} active of {written.Count} written; last round: {rounds[^1].Count(written.Contains)} of {rounds[^1].Length}");
        }

        string adapter = Path.Combine(temp, "exported.gguf");
        var export = CliProcess.Run(Environment, WithMemory("export-adapter", adapter));
        Assert.True(export.ExitCode == 0, export.Stderr);
        if (active == 0) return;
        var rank = GgufFile.Read(adapter).Tensors.Where(t => t.Name.EndsWith(".lora_a", StringComparison.Ordinal)).Select(t => t.Dimensions[1]).Distinct();
        Assert.Equal([active], rank);
        using var model = Model.Load(TestModels.Stories260K, new ModelOptions { Threads = 1 });
        using var loaded = model.LoadAdapter(adapter);
        using var context = new Context(model);
        context.SetAdapter(loaded);
        Assert.NotEmpty(Probe.Complete(context, $"{rounds[0][0]} had a pet"));
    }

    string RememberOne()
    {
        string file = Path.Combine(temp, "one.json");
        WriteFacts(0, file);
        var run = Remember(file);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return Directory.GetFiles(MemoryDirectory, MemoryStore.DatabaseFileName, SearchOption.AllDirectories).Single();
    }

    [Fact]
    public void A_damaged_memory_database_fails_with_one_line()
    {
        string database = RememberOne();
        using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            // A whole page in the middle, so the damage is to the structure SQLite checks, not to a number in a blob.
            const int page = 4096;
            file.Position = file.Length / 2 / page * page;
            file.Write(Enumerable.Range(0, page).Select(i => (byte)(i * 37 + 11)).ToArray());
        }
        foreach (string command in new[] { "facts", "export-adapter" })
        {
            var run = CliProcess.Run(Environment, command == "facts" ? WithMemory("facts") : WithMemory("export-adapter", Path.Combine(temp, "out.gguf")));
            Assert.Equal(1, run.ExitCode);
            string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{run.Stderr}");
            Assert.StartsWith("error: ", lines[0]);
            Assert.Contains(MemoryStore.DatabaseFileName, lines[0]);
            output.WriteLine($"{command}: {lines[0]}");
        }
    }

    [Fact]
    public void A_damaged_adapter_file_is_refused_by_name()
    {
        RememberOne();
        string adapter = Path.Combine(temp, "memory.gguf");
        var export = CliProcess.Run(Environment, WithMemory("export-adapter", adapter));
        Assert.True(export.ExitCode == 0, export.Stderr);
        byte[] bytes = File.ReadAllBytes(adapter);
        string truncated = Path.Combine(temp, "truncated.gguf"), noMagic = Path.Combine(temp, "no-magic.gguf");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        File.WriteAllBytes(noMagic, [.. "XXXX"u8, .. bytes[4..]]);

        using var model = Model.Load(TestModels.Stories260K, new ModelOptions { Threads = 1 });
        foreach (string path in new[] { truncated, noMagic })
        {
            var e = Assert.Throws<SleepingLlmException>(() => model.LoadAdapter(path));
            output.WriteLine(e.Message);
            Assert.Contains(Path.GetFileName(path), e.Message);
        }
    }
}
