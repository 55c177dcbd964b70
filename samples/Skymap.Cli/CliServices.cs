using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Recos;
using Skymap.Recos;

namespace Skymap.Cli;

/// <summary>Dependency-injection wiring shared by the commands.</summary>
internal static class CliServices
{
    /// <summary>Builds the service provider: logging to standard error, the built-in recos and the plug-ins of <c>--reco-assembly</c>.</summary>
    /// <exception cref="CliException">A plug-in assembly cannot be used (the message names it).</exception>
    public static ServiceProvider Build(LogLevel level, IReadOnlyList<string>? recoAssemblies = null)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b
                .SetMinimumLevel(level)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace))
            .AddSkymapBuiltinRecos();
        foreach (var path in recoAssemblies ?? [])
        {
            try
            {
                services.AddRecosFromAssemblyFile(path);
            }
            catch (RecoPluginException e)
            {
                throw new CliException($"--reco-assembly: {e.Message}");
            }
        }

        return services.BuildServiceProvider();
    }
}

/// <summary>A user-facing error: printed as one line, non-zero exit code.</summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A CLI error from an <see cref="ArgumentException"/>, without the runtime's "(Parameter 'x')" suffix.</summary>
    public static CliException From(ArgumentException e, string? prefix = null) =>
        new(prefix is null ? CliRunner.CleanMessage(e) : $"{prefix}: {CliRunner.CleanMessage(e)}");
}
