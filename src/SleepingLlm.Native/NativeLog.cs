using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SleepingLlm.Native;

/// <summary>Routes llama.cpp's and ggml's log into an <see cref="ILogger"/>, one line per message.</summary>
public static unsafe class NativeLog
{
    static readonly Lock Gate = new();
    static readonly StringBuilder Pending = new();
    static LogLevel pendingLevel = LogLevel.Information;

    public static ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>The last error or warning line: llama.cpp reports why a load failed only in its log.</summary>
    public static string? LastProblem { get; private set; }

    internal static void Install() => Llama.llama_log_set(&OnLog, 0);

    // ggml levels: 0 none, 1 debug, 2 info, 3 warn, 4 error, 5 continuation of the previous message.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static void OnLog(int level, byte* text, nint userData)
    {
        try
        {
            string fragment = Marshal.PtrToStringUTF8((nint)text) ?? "";
            lock (Gate)
            {
                if (level != 5) pendingLevel = level switch
                {
                    1 => LogLevel.Debug,
                    2 => LogLevel.Information,
                    3 => LogLevel.Warning,
                    4 => LogLevel.Error,
                    _ => LogLevel.Trace,
                };
                Pending.Append(fragment);
                // llama.cpp emits messages in pieces; a line ends when a newline arrives.
                if (!fragment.EndsWith('\n')) return;
                string line = Pending.ToString().TrimEnd();
                Pending.Clear();
                if (line.Length == 0) return;
                if (pendingLevel >= LogLevel.Warning) LastProblem = line;
                Logger.Log(pendingLevel, "{Native}", line);
            }
        }
        catch
        {
            // Never let an exception unwind into native code.
        }
    }
}
