using SleepingLlm.Models;

namespace SleepingLlm.Tests.Pull;

public sealed class ModelCatalogTests
{
    const string Sha = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

    static string Catalog(string models, string @default = "\"a\"") => $$"""{ "default": {{@default}}, "models": [ {{models}} ] }""";

    static string Model(string name = "a", string file = "a.gguf", string url = "https://example.org/a.gguf", string size = "10", string sha = Sha) =>
        $$"""{ "name": "{{name}}", "file": "{{file}}", "url": "{{url}}", "size": {{size}}, "sha256": "{{sha}}" }""";

    [Fact]
    public void The_shipped_catalog_is_valid_and_defaults_to_the_small_model()
    {
        var catalog = ModelCatalog.Load(Path.Combine(RepoPaths.Root, "models", "catalog.json"));

        Assert.Equal(["Llama-3.2-3B-Instruct", "Llama-3.1-8B-Instruct", "SmolLM2-135M-Instruct"], catalog.Models.Select(m => m.Name));
        Assert.Equal("SmolLM2-135M-Instruct", catalog.Default.Name);
        Assert.All(catalog.Models, m => Assert.StartsWith("https://huggingface.co/", m.Url));
        Assert.All(catalog.Models, m => Assert.EndsWith("/resolve/main/" + m.File, m.Url));
    }

    [Fact]
    public void The_catalog_is_copied_beside_the_app()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "catalog.json")));
    }

    [Fact]
    public void Find_matches_a_name_or_a_file_whatever_the_case()
    {
        var catalog = ModelCatalog.Parse(Catalog(Model() + "," + Model("b", "B-Q4.gguf")), "test");

        Assert.Equal("b", catalog.Find("B")?.Name);
        Assert.Equal("b", catalog.Find("b-q4.GGUF")?.Name);
        Assert.Null(catalog.Find("c"));
        Assert.Equal("a", catalog.Default.Name);
        var error = Assert.Throws<SleepingLlmException>(() => catalog.Get("c"));
        Assert.Equal("unknown model \"c\"; the catalog (test) has: a, b", error.Message);
    }

    [Theory]
    [InlineData("{", "bad model catalog test: ")]
    [InlineData("""{ "models": [] }""", "it lists no \"models\"")]
    [InlineData("""{ "models": { "a": 1 } }""", "bad model catalog test: The JSON value could not be converted")]
    [InlineData("""{ "models": [ null ] }""", "model #1 is null")]
    public void Malformed_catalogs_say_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<SleepingLlmException>(() => ModelCatalog.Parse(json, "test"));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("name", "", "\"name\" is missing")]
    [InlineData("file", "../a.gguf", "\"file\" must be a plain file name")]
    [InlineData("url", "ftp://example.org/a", "\"url\" must be an http(s) URL")]
    [InlineData("size", "0", "\"size\" must be a positive number of bytes")]
    [InlineData("size", "\"big\"", "could not be converted")]
    [InlineData("sha", "abc", "\"sha256\" must be 64 hex digits")]
    public void Bad_fields_are_named(string field, string value, string expected)
    {
        string model = field switch
        {
            "name" => Model(name: value),
            "file" => Model(file: value),
            "url" => Model(url: value),
            "size" => Model(size: value),
            _ => Model(sha: value),
        };
        var error = Assert.Throws<SleepingLlmException>(() => ModelCatalog.Parse(Catalog(model, "null"), "test"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Duplicates_and_an_unknown_default_are_refused()
    {
        var twice = Assert.Throws<SleepingLlmException>(() => ModelCatalog.Parse(Catalog(Model() + "," + Model("A", "other.gguf")), "test"));
        Assert.Equal("bad model catalog test: model #2 (A): its name or file appears twice", twice.Message);
        var unknown = Assert.Throws<SleepingLlmException>(() => ModelCatalog.Parse(Catalog(Model(), "\"zz\""), "test"));
        Assert.Equal("bad model catalog test: the default \"zz\" is not one of its models", unknown.Message);
    }

    [Fact]
    public void A_missing_file_is_a_one_line_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-catalog-{Guid.NewGuid():N}.json");
        var error = Assert.Throws<SleepingLlmException>(() => ModelCatalog.Load(path));
        Assert.StartsWith($"cannot read the model catalog {path}: ", error.Message);
    }
}
