using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Skymap.Cli;

/// <summary>Runs a command body and turns user errors into one clear line and a non-zero exit code.</summary>
internal static partial class CliRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException e)
        {
            WriteError(CleanMessage(e)); // messages built from library exceptions may carry "(Parameter 'x')"
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            WriteError("cancelled; the partial result written so far is kept");
            return 130;
        }
    }

    public static int Run(Func<int> body) => RunAsync(() => Task.FromResult(body())).GetAwaiter().GetResult();

    public static void WriteError(string message) =>
        Console.Error.WriteLine($"skymap: error: {message}");

    /// <summary>
    /// When the command line did not parse (a bad option value, an unknown option, a missing required one), writes one
    /// error line naming the option(s) and returns exit code 2; null when it parsed (or help was asked for).
    /// </summary>
    public static int? ReportParseErrors(ParseResult parse)
    {
        if (parse.Action is not ParseErrorAction || parse.Errors.Count == 0)
        {
            return null;
        }

        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Insert(0, c.Command.Name);
            }
        }

        var command = string.Join(' ', names);
        var problems = parse.Errors.Select(Describe).Distinct(StringComparer.Ordinal);
        WriteError($"{string.Join("; ", problems)} (see '{command} --help')");
        return 2;
    }

    /// <summary>An exception's message without the runtime's "(Parameter 'x')" suffixes.</summary>
    public static string CleanMessage(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ParameterSuffix().Replace(e.Message, "");
    }

    private static string Describe(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };

        // A value that does not convert: the runtime names the CLR type ("System.Nullable`1[System.UInt64]"); say what is expected.
        if (option is { Option.ValueType: var type } && option.Tokens.Count > 0 && error.Message.Contains(type.ToString(), StringComparison.Ordinal))
        {
            return $"{option.Option.Name}: '{option.Tokens[^1].Value}' is not {Expected(type)}";
        }

        // One line: messages that list values over several lines are joined.
        return string.Join(' ', error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
    }

    private static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(ulong) || t == typeof(uint) || t == typeof(ushort) || t == typeof(byte))
        {
            return "a whole number ≥ 0";
        }

        if (t == typeof(int) || t == typeof(long) || t == typeof(short))
        {
            return "a whole number";
        }

        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal))
        {
            return "a number";
        }

        return t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()))}" : "a valid value";
    }

    [GeneratedRegex(@" ?\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();
}

/// <summary>Output directory checks done before a scan writes anything.</summary>
internal static class OutputDirectory
{
    /// <summary>Creates the directory if needed and proves it writable; returns the full path.</summary>
    public static string EnsureWritable(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".skymap-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"--output-dir: cannot write to '{path}': {e.Message}");
        }
    }
}
