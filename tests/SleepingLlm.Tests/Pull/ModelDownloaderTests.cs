using System.Security.Cryptography;
using SleepingLlm.Models;

namespace SleepingLlm.Tests.Pull;

public sealed class ModelDownloaderTests : IAsyncDisposable
{
    readonly byte[] payload = RandomNumberGenerator.GetBytes(300_000);
    readonly TestServer server;
    readonly TempDir dir = new();
    readonly HttpClient http = new();
    readonly CatalogEntry entry;

    public ModelDownloaderTests()
    {
        server = new TestServer(payload);
        entry = new CatalogEntry("tiny", "tiny.gguf", server.Url, payload.Length, Convert.ToHexStringLower(SHA256.HashData(payload)));
    }

    string Final => dir["tiny.gguf"];
    string Part => dir["tiny.gguf.part"];

    Task<PullResult> Pull(CatalogEntry? e = null, ModelDownloader? downloader = null, IProgress<PullProgress>? progress = null, CancellationToken ct = default) =>
        (downloader ?? new ModelDownloader(http)).PullAsync(e ?? entry, dir.Path, progress, ct);

    [Fact]
    public async Task A_full_download_is_verified_and_put_in_place()
    {
        var result = await Pull();

        Assert.Equal(new PullResult(Final, false, 0), result);
        Assert.Equal(payload, File.ReadAllBytes(Final));
        Assert.False(File.Exists(Part));
        Assert.Equal([null], server.Ranges);
    }

    [Fact]
    public async Task A_dropped_connection_keeps_the_part_and_the_next_pull_resumes_with_a_range_request()
    {
        server.DropAfter = 100_000;
        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull());
        Assert.Contains("interrupted after 100000 of 300000 bytes", error.Message);
        Assert.Contains("run pull again to resume", error.Message);
        Assert.False(File.Exists(Final));
        Assert.Equal(100_000, new FileInfo(Part).Length);

        var result = await Pull();

        Assert.Equal(new PullResult(Final, false, 100_000), result);
        Assert.Equal([null, "bytes=100000-"], server.Ranges);
        Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Final))));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task A_checksum_mismatch_leaves_neither_the_file_nor_a_part()
    {
        server.Corrupt = true;

        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull());

        Assert.Contains($"checksum mismatch for tiny.gguf: expected sha256 {entry.Sha256}, got ", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task A_server_that_ignores_the_range_makes_the_download_start_over()
    {
        server.DropAfter = 120_000;
        await Assert.ThrowsAsync<SleepingLlmException>(() => Pull());
        server.IgnoreRange = true;

        var result = await Pull();

        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal([null, "bytes=120000-"], server.Ranges);
        Assert.Equal(payload, File.ReadAllBytes(Final));
        Assert.False(File.Exists(Part));
    }

    [Fact]
    public async Task A_present_file_is_verified_and_not_downloaded_again()
    {
        await Pull();
        var checks = new List<PullProgress>();

        var result = await Pull(progress: new Callback(checks.Add));

        Assert.Equal(new PullResult(Final, true, 0), result);
        Assert.Single(server.Ranges);
        Assert.Equal(new PullProgress(PullPhase.Checking, payload.Length, payload.Length), checks[^1]);
    }

    [Fact]
    public async Task A_present_file_with_other_content_is_an_error_and_left_alone()
    {
        File.WriteAllBytes(Final, new byte[payload.Length]);

        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull());

        Assert.Contains($"{Final} already exists but has sha256", error.Message);
        Assert.Empty(server.Ranges);
        Assert.Equal(new byte[payload.Length], File.ReadAllBytes(Final));
    }

    [Fact]
    public async Task Cancelling_keeps_the_part_for_the_next_pull()
    {
        server.StallAfter = 50_000;
        using var cancel = new CancellationTokenSource();
        var progress = new Callback(p =>
        {
            if (p.Done >= 50_000)
                cancel.Cancel();
        });

        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull(progress: progress, ct: cancel.Token));

        Assert.Contains("interrupted after 50000 of 300000 bytes (cancelled)", error.Message);
        Assert.Equal(50_000, new FileInfo(Part).Length);
        Assert.Equal(new PullResult(Final, false, 50_000), await Pull());
    }

    [Fact]
    public async Task A_stalled_transfer_times_out_and_keeps_the_part()
    {
        server.StallAfter = 70_000;
        var impatient = new ModelDownloader(http) { ReadTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull(downloader: impatient));

        Assert.Contains("interrupted after 70000 of 300000 bytes (no data, timed out)", error.Message);
        Assert.Equal(70_000, new FileInfo(Part).Length);
    }

    [Fact]
    public async Task An_http_error_is_one_line_naming_the_status()
    {
        server.FailWith = 404;

        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull());

        Assert.Equal($"cannot download {server.Url}: HTTP 404 Failing On Purpose", error.Message);
        Assert.False(File.Exists(Final));
    }

    [Fact]
    public async Task A_server_offering_another_size_than_the_catalog_is_refused_before_writing()
    {
        var error = await Assert.ThrowsAsync<SleepingLlmException>(() => Pull(entry with { Size = payload.Length + 1 }));

        Assert.Contains("offers 300000 bytes, the catalog expects 300001", error.Message);
        Assert.False(File.Exists(Final));
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        http.Dispose();
        dir.Dispose();
    }

    sealed class Callback(Action<PullProgress> report) : IProgress<PullProgress>
    {
        public void Report(PullProgress value) => report(value);
    }
}
