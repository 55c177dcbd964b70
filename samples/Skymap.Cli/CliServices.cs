using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Recos;

namespace Skymap.Cli;

/// <summary>Dependency-injection wiring shared by the commands.</summary>
internal static class CliServices
{
    /// <summary>Builds the service provider: logging to standard error, the built-in recos.</summary>
    public static ServiceProvider Build(LogLevel level) =>
        new ServiceCollection()
            .AddLogging(b => b
                .SetMinimumLevel(level)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            .AddSkymapBuiltinRecos()
            .BuildServiceProvider();
}

/// <summary>A user-facing error: printed as one line, non-zero exit code.</summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
