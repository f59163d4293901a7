using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SleepingLlm.Tests.Pull;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) serving one payload at any path. It honours
/// `Range: bytes=N-`, records what it was asked, and misbehaves on demand. Each connection serves one
/// request (Connection: close); the whole server stops itself after 30 s so a broken test cannot hang.
/// </summary>
sealed class TestServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new(TimeSpan.FromSeconds(30));
    readonly byte[] payload;
    readonly Task loop;

    public TestServer(byte[] payload)
    {
        this.payload = payload;
        listener.Start();
        loop = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/tiny.gguf";

    /// <summary>The Range header of each request so far, null where it had none.</summary>
    public ConcurrentQueue<string?> Ranges { get; } = new();

    /// <summary>The next response closes the connection after this many body bytes.</summary>
    public long? DropAfter { get; set; }

    /// <summary>The next response sends this many body bytes, then neither sends nor closes.</summary>
    public long? StallAfter { get; set; }

    /// <summary>Answer every request with the whole payload and 200, as servers without range support do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Flip one byte in the middle of every body.</summary>
    public bool Corrupt { get; set; }

    /// <summary>Answer with this status code and no body.</summary>
    public int? FailWith { get; set; }

    async Task AcceptAsync()
    {
        try
        {
            while (true)
                _ = ServeAsync(await listener.AcceptTcpClientAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            string? range = null;
            using (var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true))
                for (string? line; (line = await reader.ReadLineAsync(stop.Token)) is { Length: > 0 };)
                    if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
                        range = line["Range:".Length..].Trim();
            Ranges.Enqueue(range);

            if (FailWith is { } status)
            {
                await WriteAsync(stream, $"HTTP/1.1 {status} Failing On Purpose\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            int from = !IgnoreRange && range is not null ? int.Parse(range["bytes=".Length..].TrimEnd('-')) : 0;
            byte[] body = payload[from..];
            if (Corrupt)
                body[body.Length / 2] ^= 0xFF;
            await WriteAsync(stream, (from > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n")
                + $"Content-Length: {body.Length}\r\nConnection: close\r\n"
                + (from > 0 ? $"Content-Range: bytes {from}-{payload.Length - 1}/{payload.Length}\r\n" : "")
                + "\r\n");

            long? drop = DropAfter, stall = StallAfter;
            (DropAfter, StallAfter) = (null, null);
            int count = (int)Math.Min(drop ?? stall ?? body.Length, body.Length);
            await stream.WriteAsync(body.AsMemory(0, count), stop.Token);
            if (stall is not null)
                await Task.Delay(Timeout.Infinite, stop.Token);
            // A graceful close: the client gets every byte sent, then a premature end of the body.
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client hung up or the server is stopping: nothing left to serve.
        }
    }

    Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), stop.Token).AsTask();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await loop;
        stop.Dispose();
    }
}

/// <summary>A fresh temporary directory, deleted with everything in it.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("sleepingllm-pull-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
