using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Eval;

/// <summary>Perplexity text that the covariance never saw: a held-apart range of WikiText, and a refusal of any overlap.</summary>
public sealed class PerplexityTests() : ScratchDirectory("sleepingllm-perplexity-test-")
{
    static Model Load() => Model.Load(TestModels.Stories260K, new ModelOptions { Threads = 1 });

    [Fact]
    public void The_same_file_for_covariance_and_perplexity_is_read_in_disjoint_ranges()
    {
        using var model = Load();
        var notes = new List<string>();
        var text = Perplexity.HeldOut(model, WikiText.Path, Corpus.FromFile(WikiText.Path), 2000, notes.Add);
        Assert.Equal(Perplexity.Windows, text.Windows.Count);
        Assert.All(text.Windows, w => Assert.Equal(Perplexity.WindowTokens, w.Length));
        Assert.Contains("disjoint", text.Description);
        Assert.Contains(notes, n => n.Contains("disjoint"));
    }

    [Fact]
    public void A_covariance_that_reads_into_the_perplexity_range_of_the_same_file_is_refused()
    {
        using var model = Load();
        // The tiny model's tokens are short: a million of them read the whole file.
        var e = Assert.Throws<SleepingLlmException>(() => Perplexity.HeldOut(model, WikiText.Path, Corpus.FromFile(WikiText.Path), 1_000_000));
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void Another_covariance_file_holding_a_line_of_the_perplexity_text_is_refused()
    {
        using var model = Load();
        string wiki = File.ReadAllText(WikiText.Path);
        string line = wiki[(wiki.Length / 2 + 20_000)..].Split('\n').Skip(1).First(l => l.Trim().Length > 200);
        string copy = Path.Combine(directory, "corpus.txt");
        File.WriteAllText(copy, "Some other text.\n" + line + "\nMore text.\n");
        var e = Assert.Throws<SleepingLlmException>(() => Perplexity.HeldOut(model, WikiText.Path, Corpus.FromFile(copy), 2000));
        Assert.Contains("do not overlap", e.Message);

        // Text from the file's first half only is fine.
        File.WriteAllText(copy, wiki[..(wiki.Length / 3)]);
        Assert.Equal(Perplexity.Windows, Perplexity.HeldOut(model, WikiText.Path, Corpus.FromFile(copy), 2000).Windows.Count);
    }

    [Fact]
    public void A_self_written_covariance_needs_no_check()
    {
        using var model = Load();
        var text = Perplexity.HeldOut(model, WikiText.Path, Corpus.SelfGenerated(), 20_000);
        Assert.DoesNotContain("covariance", text.Description);
        Assert.True(text.ScoredTokens >= 8000, $"{text.ScoredTokens} tokens");
    }
}
