using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SleepingLlm.Cli;

/// <summary>Shared plumbing of the commands: one-line errors, JSON output.</summary>
public static class Cli
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print the result as JSON." };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>One object per line (JSON Lines), for streams such as chat replies.</summary>
    public static void WriteJsonLine<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonLines));

    static readonly JsonSerializerOptions JsonLines = new(Json) { WriteIndented = false };

    /// <summary>An enum value as the JSON output spells it: MaxTokens → max_tokens.</summary>
    public static string Snake<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>
    /// Refuses a number below one in one line; a token that is no number already has the parser's own error.
    /// </summary>
    public static void AtLeastOne(Option<int> option) => option.Validators.Add(r =>
    {
        if (r.Tokens is [{ Value: var text }] && int.TryParse(text, out int n) && n < 1) r.AddError($"{option.Name} must be at least 1 (got {n})");
    });

    /// <summary>Parses and runs; expected failures become one line on stderr and exit code 1.</summary>
    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            var parsed = root.Parse(args);
            // A mistyped option is one line (the error), not the error followed by the whole help text.
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
                return 1;
            }
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            Console.Error.WriteLine($"error: {message}");
            return 1;
        }
    }

    static string? Describe(Exception e) => e switch
    {
        SleepingLlmException => e.Message,
        FileNotFoundException f => $"file not found: {f.FileName ?? f.Message}",
        DirectoryNotFoundException => e.Message,
        UnauthorizedAccessException => e.Message,
        IOException => e.Message,
        OperationCanceledException => "cancelled",
        _ => null,
    };
}
