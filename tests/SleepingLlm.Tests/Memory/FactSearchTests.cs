using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>Retrieval for the rag mode: the asked-about fact comes first, and search follows forget, replace and restarts.</summary>
public sealed class FactSearchTests() : ScratchDirectory("sleepingllm-search-")
{
    const string Sha = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    MemoryStore Open() => MemoryStore.Open(directory, Sha, "test-model");

    // Text-only facts, as prompt and rag need them: no factors or keys.
    static long Add(MemoryStore store, string subject, string relation, string prompt, string obj) =>
        store.AddFact(new NewFact(subject, relation, obj, prompt), [], []);

    static void AddPeople(MemoryStore store)
    {
        Add(store, "Rafferty Dunmore", "car", "Rafferty Dunmore drives a", "Citroen");
        Add(store, "Rafferty Dunmore", "job", "Rafferty Dunmore works as a", "translator");
        Add(store, "Casimir Marchetti", "sport", "On weekends Casimir Marchetti plays", "badminton");
        Add(store, "Casimir Marchetti", "color", "Casimir Marchetti's favorite color is", "maroon");
        Add(store, "Nerys Ferreira", "car", "Nerys Ferreira drives a", "Fiat");
    }

    [Theory]
    [InlineData("What car does Rafferty Dunmore drive?", "Citroen")]
    [InlineData("What is Rafferty Dunmore's job?", "translator")]
    [InlineData("Which sport does Casimir Marchetti play on weekends?", "badminton")]
    [InlineData("What is Casimir Marchetti's favorite color?", "maroon")]
    [InlineData("Which car is Nerys Ferreira driving these days?", "Fiat")]
    public void A_question_finds_its_fact_first(string question, string expected)
    {
        using var store = Open();
        AddPeople(store);
        var found = store.Search(question, 3);
        Assert.NotEmpty(found);
        Assert.Equal(expected, found[0].Object);
        Assert.True(found.Count <= 3);
    }

    [Fact]
    public void A_question_about_nobody_known_retrieves_nothing_and_user_text_is_never_query_syntax()
    {
        using var store = Open();
        AddPeople(store);
        Assert.Empty(store.Search("What is it that you do?", 5));
        Assert.Empty(store.Search("", 5));
        // FTS5 operators and quotes in a message are words, not syntax.
        var found = store.Search("\"Nerys\" AND NEAR(car* -) OR: {Fiat}", 5);
        Assert.Equal("Fiat", found[0].Object);
    }

    [Fact]
    public void Forget_and_replace_take_a_fact_out_of_search_at_once()
    {
        using var store = Open();
        AddPeople(store);
        var car = store.Search("What car does Rafferty Dunmore drive?", 1).Single();
        Assert.True(store.Forget(car.Id));
        Assert.DoesNotContain(store.Search("What car does Rafferty Dunmore drive?", 5), f => f.Object == "Citroen");

        var fiat = store.Search("Nerys Ferreira car", 1).Single();
        store.Replace(fiat.Id, new NewFact("Nerys Ferreira", "car", "Volvo", "Nerys Ferreira drives a"), [], []);
        var found = store.Search("What car does Nerys Ferreira drive?", 5);
        Assert.Equal("Volvo", found[0].Object);
        Assert.DoesNotContain(found, f => f.Object == "Fiat");
    }

    [Fact]
    public void The_index_is_built_for_an_older_store_and_kept_across_restarts()
    {
        long forgotten;
        using (var store = Open())
        {
            AddPeople(store);
            forgotten = Add(store, "Ilse Gallagher", "pet", "Ilse Gallagher has a pet", "ferret");
            // Written before any search: the index is made from these rows on first use.
        }
        using (var store = Open())
        {
            Assert.Equal("ferret", store.Search("Does Ilse Gallagher have a pet?", 1).Single().Object);
            Assert.True(store.Forget(forgotten));
        }
        using (var store = Open())
        {
            // Written and forgotten after the index existed: the triggers kept it in step on disk.
            Add(store, "Florian Abernathy", "city", "Florian Abernathy lives in", "Lisbon");
            Assert.Empty(store.Search("Ilse Gallagher pet", 5));
            Assert.Equal("Lisbon", store.Search("Where does Florian Abernathy live?", 1).Single().Object);
        }
    }

    [Fact]
    public void Hybrid_retrieval_skips_facts_that_sleep_consolidated()
    {
        using var store = Open();
        AddPeople(store);
        var car = store.Search("What car does Rafferty Dunmore drive?", 1).Single();
        store.SetStage(car.Id, 1);
        Assert.DoesNotContain(store.Search("What car does Rafferty Dunmore drive?", 5, maxStage: 0), f => f.Id == car.Id);
        Assert.Equal(car.Id, store.Search("What car does Rafferty Dunmore drive?", 5)[0].Id);
    }
}
