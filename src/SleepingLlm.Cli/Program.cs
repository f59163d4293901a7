using System.CommandLine;
using SleepingLlm.Cli.Commands;

namespace SleepingLlm.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("SleepingLlm: a local language model with a memory in its weights.");
        foreach (var command in Commands().Concat(MemoryCommands.Create()))
            root.Subcommands.Add(command);
        return Cli.Run(root, args);
    }

    static IEnumerable<Command> Commands() =>
    [
        InfoCommand.Create(),
        GenerateCommand.Create(),
        ChatCommand.Create(),
        SleepCommand.Create(),
        BenchCommand.Create(),
        EvalCommand.Create(),
        PullCommand.Create(),
        ModelsCommand.Create(),
        SynthCommand.Create(),
    ];
}
