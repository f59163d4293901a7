using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>A compute device ggml found (CPU, GPU, accelerator).</summary>
public sealed record NativeDevice(string Name, string Description, string Type, ulong MemoryTotal);

/// <summary>What was loaded: where from, which versions, which devices.</summary>
public sealed record NativeRuntimeInfo(string Directory, string LlamaVersion, string GgmlVersion, string GgmlCommit,
    IReadOnlyList<NativeDevice> Devices, string SystemInfo)
{
    public bool HasGpu => Devices.Any(d => d.Type is "gpu" or "igpu");

    /// <summary>The instruction sets the loaded CPU backend uses ("AVX2 FMA AVX512…"), from llama.cpp's system info.</summary>
    public string CpuFeatures => string.Join(' ', SystemInfo.Split('|')
        .Select(part => part.Split('=', StringSplitOptions.TrimEntries))
        .Where(kv => kv.Length == 2 && kv[1] == "1")
        .Select(kv => kv[0].Split(':', StringSplitOptions.TrimEntries)[^1]));
}

/// <summary>
/// Finds the pinned llama.cpp libraries (never from the system path: the ABI must be the one our
/// mirrors were checked against), loads them, checks their version and initialises the backends.
/// </summary>
public static unsafe class NativeRuntime
{
    public const string DirectoryVariable = "SLEEPINGLLM_RUNTIME";
    /// <summary>Names one CPU build of ggml (haswell, zen4, x64…) instead of the best one for this CPU: the suite runs on each.</summary>
    public const string CpuVariantVariable = "SLEEPINGLLM_CPU_VARIANT";

    static readonly Lock Gate = new();
    static readonly Dictionary<string, nint> Loaded = [];
    static NativeRuntimeInfo? info;

    static string FixHint => $"run ./build.sh (or native/fetch.sh) to fetch llama.cpp {PinnedRuntime.Current.Release}, " +
                             $"or set {DirectoryVariable} to a folder with its libraries";

    // The resolver must be in place before the first P/Invoke of this assembly, whoever makes it.
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "resolver before any import")]
    internal static void RegisterResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeRuntime).Assembly, Resolve);

    /// <summary>Loads and checks the runtime once; later calls return the same info.</summary>
    public static NativeRuntimeInfo Initialize()
    {
        lock (Gate)
        {
            if (info is not null) return info;
            string directory = LoadLibraries();
            NativeLog.Install();
            string llama = Utf8(Llama.llama_version()), ggml = Utf8(Ggml.ggml_version());
            if (!PinnedRuntime.Current.Accepts(llama, ggml))
                throw new NativeRuntimeException(
                    $"llama.cpp in {directory} is {llama} (ggml {ggml}), SleepingLlm needs {PinnedRuntime.Current.Release} " +
                    $"(ggml {PinnedRuntime.Current.GgmlVersion}): {FixHint}");
            LoadBackends(directory);
            Llama.llama_backend_init();
            info = new NativeRuntimeInfo(directory, llama, ggml, Utf8(Ggml.ggml_commit()), Devices(),
                Utf8(Llama.llama_print_system_info()).Trim());
            return info;
        }
    }

    /// <summary>The runtime folder: $SLEEPINGLLM_RUNTIME, runtime/ beside the app, or native/.cache/runtime above it.</summary>
    public static string? Locate()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnv) return fromEnv;
        string beside = Path.Combine(AppContext.BaseDirectory, "runtime");
        if (System.IO.Directory.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "native", ".cache", "runtime");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Every backend in the folder, or with a CPU variant named, that CPU build and the GPU backends.</summary>
    static void LoadBackends(string directory)
    {
        if (Environment.GetEnvironmentVariable(CpuVariantVariable) is not { Length: > 0 } variant)
        {
            Ggml.ggml_backend_load_all_from_path(directory);
            return;
        }
        // ggml names its loadable backends lib<name>.so on every system but Windows (ggml-backend-reg.cpp).
        (string prefix, string extension) = OperatingSystem.IsWindows() ? ("", ".dll") : ("lib", ".so");
        string cpu = Path.Combine(directory, $"{prefix}ggml-cpu-{variant}{extension}");
        if (!File.Exists(cpu))
            throw new NativeRuntimeException($"{CpuVariantVariable}={variant}: no {Path.GetFileName(cpu)} in {directory} " +
                $"(the variants there: {string.Join(", ", CpuVariants(directory, prefix, extension))})");
        if (Ggml.ggml_backend_load(cpu) == 0)
            throw new NativeRuntimeException($"{CpuVariantVariable}={variant}: this CPU cannot run {Path.GetFileName(cpu)}");
        foreach (string gpu in System.IO.Directory.EnumerateFiles(directory, $"{prefix}ggml-*{extension}"))
        {
            string name = Path.GetFileNameWithoutExtension(gpu)[(prefix.Length + "ggml-".Length)..];
            if (name is "base" || name.StartsWith("cpu", StringComparison.Ordinal)) continue;
            Ggml.ggml_backend_load(gpu);
        }
    }

    static IEnumerable<string> CpuVariants(string directory, string prefix, string extension) =>
        System.IO.Directory.EnumerateFiles(directory, $"{prefix}ggml-cpu-*{extension}").Order()
            .Select(f => Path.GetFileNameWithoutExtension(f)[(prefix.Length + "ggml-cpu-".Length)..]);

    static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name is not (NativeLibraries.Llama or NativeLibraries.Ggml or NativeLibraries.GgmlBase)) return 0;
        lock (Gate)
        {
            LoadLibraries();
            return Loaded[name];
        }
    }

    static string LoadLibraries()
    {
        string directory = Locate() ?? throw new NativeRuntimeException($"llama.cpp runtime not found: {FixHint}");
        if (!System.IO.Directory.Exists(directory))
            throw new NativeRuntimeException($"llama.cpp runtime folder {directory} does not exist: {FixHint}");
        // Dependencies first: libllama names libggml and libggml-base by soname, and the loader
        // reuses an already loaded library of that soname instead of searching the system path.
        foreach (string name in (string[])[NativeLibraries.GgmlBase, NativeLibraries.Ggml, NativeLibraries.Llama])
        {
            if (Loaded.ContainsKey(name)) continue;
            string file = FindLibrary(directory, name)
                ?? throw new NativeRuntimeException($"llama.cpp runtime in {directory} has no {name} library: {FixHint}");
            try { Loaded[name] = NativeLibrary.Load(file); }
            catch (DllNotFoundException e)
            {
                throw new NativeRuntimeException($"cannot load {file}: {e.Message.Split('\n')[0]}", e);
            }
        }
        return directory;
    }

    /// <summary>Prebuilt releases carry the version in the file name (libllama.v0.5.0.so); source builds do not.</summary>
    static string? FindLibrary(string directory, string name)
    {
        (string prefix, string extension) = OperatingSystem.IsWindows() ? ("", ".dll")
            : OperatingSystem.IsMacOS() ? ("lib", ".dylib") : ("lib", ".so");
        string exact = Path.Combine(directory, prefix + name + extension);
        if (File.Exists(exact)) return exact;
        return System.IO.Directory.EnumerateFiles(directory, $"{prefix}{name}.v*{extension}").Order().FirstOrDefault();
    }

    static List<NativeDevice> Devices()
    {
        var devices = new List<NativeDevice>();
        for (nuint i = 0; i < Ggml.ggml_backend_dev_count(); i++)
        {
            nint device = Ggml.ggml_backend_dev_get(i);
            nuint free = 0, total = 0;
            Ggml.ggml_backend_dev_memory(device, &free, &total);
            string type = Ggml.ggml_backend_dev_type(device) switch
            {
                Ggml.DeviceTypeCpu => "cpu",
                Ggml.DeviceTypeGpu => "gpu",
                Ggml.DeviceTypeIgpu => "igpu",
                Ggml.DeviceTypeAccel => "accel",
                _ => "other",
            };
            devices.Add(new NativeDevice(Utf8(Ggml.ggml_backend_dev_name(device)),
                Utf8(Ggml.ggml_backend_dev_description(device)), type, total));
        }
        return devices;
    }

    public static string Utf8(byte* text) => Marshal.PtrToStringUTF8((nint)text) ?? "";
}
