using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace SleepingLlm.Models;

public enum PullPhase { Checking, Downloading }

/// <summary><see cref="PullPhase.Checking"/> hashes what is already on disk; then the transfer itself.</summary>
public readonly record struct PullProgress(PullPhase Phase, long Done, long Total);

/// <param name="ResumedFrom">Bytes of an earlier .part that were kept (0: a fresh download).</param>
public sealed record PullResult(string Path, bool AlreadyPresent, long ResumedFrom);

/// <summary>
/// Fetches a catalog model into a directory: into FILE.part, resumed with a Range request after an
/// interruption, checked against the catalog's size and sha256, and only then renamed to FILE, so that a
/// file under its final name is always complete.
/// </summary>
public sealed class ModelDownloader(HttpClient http)
{
    const int BufferSize = 1 << 20;

    /// <summary>How long a read may wait for data: HttpClient.Timeout stops counting once the headers are in.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<PullResult> PullAsync(
        CatalogEntry entry, string destDir, IProgress<PullProgress>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(destDir);
        string final = Path.GetFullPath(Path.Combine(destDir, entry.File)), part = final + ".part";
        if (File.Exists(final))
            return await CheckPresentAsync(entry, final, progress, ct);

        long resumedFrom, have;
        string actual;
        // FileShare.None: a second pull of the same model fails at once instead of interleaving writes.
        await using (var file = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0, true))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            have = file.Length <= entry.Size ? await HashAsync(file, hash, entry.Size, progress, ct) : 0;
            file.SetLength(have);
            (resumedFrom, have) = have < entry.Size ? await DownloadAsync(entry, file, hash, have, progress, ct) : (have, have);
            actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            try
            {
                file.Flush(flushToDisk: true); // the rename below must not publish data still in the page cache
            }
            catch (IOException e)
            {
                throw WriteFailed(part, e);
            }
        }
        string? problem = have != entry.Size ? $"size mismatch for {entry.File}: expected {entry.Size} bytes, got {have}"
            : !Same(actual, entry.Sha256) ? $"checksum mismatch for {entry.File}: expected sha256 {entry.Sha256}, got {actual}"
            : null;
        if (problem is not null)
        {
            File.Delete(part);
            throw new SleepingLlmException($"{problem}; the download was deleted");
        }
        File.Move(part, final, overwrite: true);
        return new PullResult(final, false, resumedFrom);
    }

    /// <summary>Appends the rest of the file from <paramref name="have"/> on; returns where it really started and the new length.</summary>
    async Task<(long Start, long Length)> DownloadAsync(
        CatalogEntry entry, FileStream file, IncrementalHash hash, long have, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, entry.Url);
        if (have > 0)
            request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            throw new SleepingLlmException($"cannot download {entry.Url}: {Reason(e, ct)}", e);
        }
        using (response)
        {
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != have)
                throw new SleepingLlmException($"{entry.Url} answered with another range than bytes={have}-");
            if (!response.IsSuccessStatusCode)
                throw new SleepingLlmException($"cannot download {entry.Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            if (!resumed && have > 0)
            {
                // The server ignored the Range request and sends the whole file: start over.
                have = 0;
                file.SetLength(0);
                hash.GetHashAndReset();
            }
            if (have + response.Content.Headers.ContentLength is { } offered && offered != entry.Size)
                throw new SleepingLlmException($"{entry.Url} offers {offered} bytes, the catalog expects {entry.Size}");
            long start = have;
            progress?.Report(new(PullPhase.Downloading, have, entry.Size));

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var buffer = new byte[BufferSize];
            // Stop past the expected size: a server that never ends must not fill the disk.
            while (have <= entry.Size)
            {
                int n;
                try
                {
                    idle.CancelAfter(ReadTimeout);
                    n = await body.ReadAsync(buffer, idle.Token);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                {
                    throw new SleepingLlmException(Interrupted(have, entry, Reason(e, ct)), e);
                }
                if (n == 0)
                    break;
                try
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), CancellationToken.None);
                }
                catch (IOException e)
                {
                    throw WriteFailed(file.Name, e);
                }
                hash.AppendData(buffer, 0, n);
                have += n;
                progress?.Report(new(PullPhase.Downloading, have, entry.Size));
            }
            return have < entry.Size
                ? throw new SleepingLlmException(Interrupted(have, entry, "the server closed the connection"))
                : (start, have);
        }
    }

    async Task<PullResult> CheckPresentAsync(CatalogEntry entry, string path, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, true);
        if (file.Length != entry.Size)
            throw AlreadyThere(path, $"is {file.Length} bytes, not {entry.Size}");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await HashAsync(file, hash, entry.Size, progress, ct);
        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return Same(actual, entry.Sha256)
            ? new PullResult(path, true, 0)
            : throw AlreadyThere(path, $"has sha256 {actual}, not {entry.Sha256}");
    }

    static async Task<long> HashAsync(FileStream file, IncrementalHash hash, long total, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        long done = 0;
        file.Position = 0;
        for (int n; (n = await file.ReadAsync(buffer, ct)) > 0;)
        {
            hash.AppendData(buffer, 0, n);
            done += n;
            progress?.Report(new(PullPhase.Checking, done, total));
        }
        return done;
    }

    static string Reason(Exception e, CancellationToken ct) =>
        ct.IsCancellationRequested ? "cancelled" : e is OperationCanceledException ? "no data, timed out" : e.Message;

    static string Interrupted(long have, CatalogEntry entry, string reason) =>
        $"download interrupted after {have} of {entry.Size} bytes ({reason}); run pull again to resume";

    static SleepingLlmException AlreadyThere(string path, string problem) =>
        new($"{path} already exists but {problem}; move it away and pull again");

    static SleepingLlmException WriteFailed(string path, IOException e) => new($"cannot write {path}: {e.Message}", e);

    static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
