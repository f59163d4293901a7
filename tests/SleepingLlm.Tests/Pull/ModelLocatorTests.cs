using SleepingLlm.Models;

namespace SleepingLlm.Tests.Pull;

public sealed class ModelLocatorTests : IDisposable
{
    readonly TempDir root = new();
    readonly string shared, user;
    readonly ModelPaths paths;
    readonly ModelCatalog catalog = ModelCatalog.Parse("""
        { "default": "tiny", "models": [ { "name": "tiny", "file": "Tiny-Q4.gguf", "url": "http://127.0.0.1/t", "size": 1,
          "sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53" } ] }
        """, "test");

    public ModelLocatorTests()
    {
        shared = Directory.CreateDirectory(root["shared"]).FullName;
        user = Directory.CreateDirectory(root["user"]).FullName;
        paths = new ModelPaths([root["missing"], shared], user);
    }

    string Put(string dir, string file)
    {
        string path = Path.Combine(dir, file);
        File.WriteAllText(path, "gguf");
        return path;
    }

    [Fact]
    public void An_existing_path_is_taken_as_it_is()
    {
        string path = Put(root.Path, "anything.bin");
        Assert.Equal(path, ModelLocator.Resolve(path, catalog, paths));
    }

    [Fact]
    public void The_search_directories_come_before_the_user_directory()
    {
        Put(user, "Tiny-Q4.gguf");
        string inShared = Put(shared, "Tiny-Q4.gguf");

        Assert.Equal(inShared, ModelLocator.Resolve("tiny", catalog, paths));
        Assert.Equal(inShared, ModelLocator.Resolve("TINY-q4.gguf", catalog, paths));
    }

    [Fact]
    public void The_user_directory_is_searched_last()
    {
        string inUser = Put(user, "Tiny-Q4.gguf");
        Assert.Equal(inUser, ModelLocator.Resolve("tiny", catalog, paths));
    }

    [Fact]
    public void A_local_file_not_in_the_catalog_is_found_with_or_without_its_extension()
    {
        string mine = Put(user, "mine.gguf");
        Assert.Equal(mine, ModelLocator.Resolve("mine", catalog, paths));
        Assert.Equal(mine, ModelLocator.Resolve("mine.gguf", catalog, paths));
    }

    [Fact]
    public void A_catalog_model_not_downloaded_says_where_it_looked_and_how_to_pull_it()
    {
        var error = Assert.Throws<SleepingLlmException>(() => ModelLocator.Resolve("Tiny", catalog, paths));
        Assert.Equal(
            $"model tiny is not downloaded (no Tiny-Q4.gguf in {root["missing"]}, {shared}, {user}); run `sleepingllm pull tiny`",
            error.Message);
    }

    [Fact]
    public void A_missing_path_is_reported_as_such()
    {
        string path = root["nope/model.gguf"];
        Assert.Equal($"model file not found: {path}", Assert.Throws<SleepingLlmException>(() => ModelLocator.Resolve(path, catalog, paths)).Message);
        Assert.StartsWith("model file not found: other.gguf (nor in ",
            Assert.Throws<SleepingLlmException>(() => ModelLocator.Resolve("other.gguf", catalog, paths)).Message);
    }

    [Fact]
    public void An_unknown_name_points_at_the_models_command()
    {
        var error = Assert.Throws<SleepingLlmException>(() => ModelLocator.Resolve("llama", catalog, paths));
        Assert.StartsWith("unknown model llama: not a file, not in the catalog, and no llama.gguf in ", error.Message);
        Assert.EndsWith("`sleepingllm models` lists what is available", error.Message);
    }

    [Fact]
    public void The_environment_list_is_split_like_PATH()
    {
        char s = Path.PathSeparator;
        Assert.Equal(["/a", "/b c", "/d"], ModelPaths.ParseList($"/a{s}{s} /b c {s}/d"));
        Assert.Empty(ModelPaths.ParseList(null));
    }

    public void Dispose() => root.Dispose();
}
