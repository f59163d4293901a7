using System.Collections.Concurrent;

namespace SleepingLlm;

/// <summary>
/// The one thread that makes every llama.cpp call: jobs are queued and run in order, so native state
/// (model, context, KV cache, adapters) is never touched by two threads.
/// </summary>
public sealed class LlamaThread : IDisposable
{
    readonly BlockingCollection<Action> jobs = new();
    readonly Thread thread;

    public LlamaThread()
    {
        // llama.cpp's own worker threads do the math; this thread only orchestrates, so a default stack is enough.
        thread = new Thread(Loop) { IsBackground = true, Name = "llama" };
        thread.Start();
    }

    public bool IsCurrent => Thread.CurrentThread == thread;

    public Task<T> Invoke<T>(Func<T> job)
    {
        if (IsCurrent) return Task.FromResult(job());
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Add(() =>
        {
            try { done.SetResult(job()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    public Task Invoke(Action job) => Invoke(() => { job(); return true; });

    /// <summary>
    /// Runs the jobs queued behind the current one, from inside it: a long background job (the key statistics)
    /// calls this between its steps so the chat's replies do not wait for it. Llama thread only.
    /// </summary>
    public void RunWaiting()
    {
        if (!IsCurrent) throw new InvalidOperationException("RunWaiting runs on the llama thread only");
        while (jobs.TryTake(out var job)) job();
    }

    void Loop()
    {
        foreach (var job in jobs.GetConsumingEnumerable()) job();
    }

    public void Dispose()
    {
        jobs.CompleteAdding();
        if (!IsCurrent) thread.Join();
        jobs.Dispose();
    }
}
