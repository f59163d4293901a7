using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Native;

/// <summary>
/// Every imported function against its declaration in the pinned headers: same parameter count and
/// the same kind of each parameter and of the return value. A missed parameter (as when a release
/// adds one) shifts the others into the wrong registers and fails without any error at run time.
/// </summary>
public sealed partial class SignatureTests
{
    static readonly Lazy<Dictionary<string, (string Return, string[] Parameters)>> Declarations = new(ReadHeaders);

    static readonly Dictionary<Type, string> Structs = new()
    {
        [typeof(LlamaModelParams)] = "llama_model_params",
        [typeof(LlamaContextParams)] = "llama_context_params",
        [typeof(LlamaBatch)] = "llama_batch",
        [typeof(LlamaSamplerChainParams)] = "llama_sampler_chain_params",
        [typeof(GgufNative.InitParams)] = "gguf_init_params",
        [typeof(GgmlInitParams)] = "ggml_init_params",
    };

    public static TheoryData<string> Imports()
    {
        var data = new TheoryData<string>();
        foreach (var method in ImportedMethods()) data.Add(method.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Imports))]
    public void Import_matches_the_C_declaration(string name)
    {
        var method = ImportedMethods().Single(m => m.Name == name);
        Assert.True(Declarations.Value.TryGetValue(name, out var c), $"{name} is not declared in the pinned headers");
        string[] ours = method.GetParameters().Select(p => Kind(p.ParameterType)).ToArray();
        Assert.Equal(c.Parameters, ours);
        Assert.Equal(c.Return, Kind(method.ReturnType));
    }

    static IEnumerable<MethodInfo> ImportedMethods() =>
        new[] { typeof(Llama), typeof(Ggml), typeof(GgufNative) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null);

    static string Kind(Type type)
    {
        if (type == typeof(void)) return "void";
        if (type.IsPointer || type.IsFunctionPointer || type == typeof(nint) || type == typeof(string)
            || typeof(SafeHandle).IsAssignableFrom(type)) return "ptr";
        if (Structs.TryGetValue(type, out string? cStruct)) return "struct " + cStruct;
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 => "i32",
            TypeCode.UInt32 => "u32",
            TypeCode.Int64 => "i64",
            TypeCode.UInt64 => "u64",
            TypeCode.Single => "f32",
            TypeCode.Boolean => "bool",
            _ when type == typeof(nuint) => "size",
            _ => $"unmapped {type.Name}",
        };
    }

    static string CKind(string type)
    {
        type = type.Replace("const", "").Trim();
        if (type.Contains('*')) return "ptr";
        type = Regex.Replace(type, @"\s+", " ");
        return type switch
        {
            "void" => "void",
            "int" or "int32_t" or "llama_token" or "llama_pos" or "llama_seq_id" => "i32",
            "uint32_t" => "u32",
            "int64_t" => "i64",
            "uint64_t" => "u64",
            "size_t" => "size",
            "float" => "f32",
            "bool" => "bool",
            _ when type.StartsWith("enum ") => "i32",
            _ when type.StartsWith("struct ") => type,
            _ when Structs.ContainsValue(type) => "struct " + type,
            // Remaining *_t typedefs in these headers are opaque pointers (llama_memory_t, ggml_backend_dev_t, callbacks).
            _ when type.EndsWith("_t") || type.EndsWith("_callback") => "ptr",
            _ => $"unknown {type}",
        };
    }

    static Dictionary<string, (string, string[])> ReadHeaders()
    {
        var result = new Dictionary<string, (string, string[])>();
        foreach (string header in new[] { "llama.h", "ggml.h", "ggml-backend.h", "ggml-alloc.h", "gguf.h" })
        {
            string text = File.ReadAllText(Path.Combine(RepoPaths.NativeInclude, header));
            text = BlockComment().Replace(LineComment().Replace(text, ""), "");
            foreach (Match m in Declaration().Matches(text))
            {
                string parameters = m.Groups["params"].Value.Trim();
                string[] kinds = parameters is "void" or ""
                    ? []
                    : parameters.Split(',').Select(p => CKind(ParameterName().Replace(p.Trim(), ""))).ToArray();
                result.TryAdd(m.Groups["name"].Value, (CKind(m.Groups["ret"].Value), kinds));
            }
        }
        return result;
    }

    [GeneratedRegex(@"//[^\n]*")] private static partial Regex LineComment();
    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)] private static partial Regex BlockComment();
    [GeneratedRegex(@"(?:LLAMA_API|GGML_API)\s+(?:struct\s+)?(?<ret>[\w\s\*]+?)\s*\b(?<name>\w+)\s*\((?<params>[^;{}]*?)\)\s*;", RegexOptions.Singleline)]
    private static partial Regex Declaration();
    // The parameter's name: the last identifier, unless the whole thing is one word (an unnamed parameter).
    [GeneratedRegex(@"(?<=[\s\*])\w+$")] private static partial Regex ParameterName();
}
