using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap worker</c>.</summary>
internal static class WorkerCommandLine
{
    public static Command Create()
    {
        var stdio = new Option<bool>("--stdio") { Description = "Serve tasks over stdin/stdout (length-prefixed MessagePack; started by --transport processes)" };
        var transport = new Option<string>("--transport") { Description = "rabbitmq (with --startup-json)", DefaultValueFactory = _ => "rabbitmq" };
        var startup = new Option<string?>("--startup-json") { Description = "Path of the server's startup.json (waited for)" };
        var broker = new Option<string?>("--broker") { Description = "AMQP address (default: SKYMAP_BROKER_ADDRESS; credentials from SKYMAP_BROKER_AUTH)" };
        var prefetch = new Option<int?>("--prefetch") { Description = "Broker prefetch (default: the concurrency)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Fits run in parallel by this worker", DefaultValueFactory = _ => 1 };
        var first = new Option<double>("--first-message-timeout") { Description = "Seconds to wait for the first task", DefaultValueFactory = _ => 3600 };
        var idle = new Option<double>("--idle-timeout") { Description = "Seconds without tasks before the worker exits", DefaultValueFactory = _ => 1800 };
        var wait = new Option<double>("--startup-wait") { Description = "Seconds to wait for startup.json to appear", DefaultValueFactory = _ => 60 };
        var assemblies = new Option<string[]>("--reco-assembly") { Description = "A local copy of a plug-in assembly the startup document names (matched by SHA-256; default: the document's path)" };
        var cmd = new Command("worker", "Run a scan worker: fits pixel variations sent by a scan server (processes or RabbitMQ).")
        {
            stdio, transport, startup, broker, prefetch, concurrency, first, idle, wait, assemblies,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            ServiceProvider services;
            try
            {
                services = CliServices.Build(LogLevel.Warning, pr.GetValue(assemblies));
            }
            catch (CliException e)
            {
                CliRunner.WriteError(e.Message);
                return WorkerCommandHandler.ExitSetupError;
            }

            await using var disposeServices = services.ConfigureAwait(false);
            return await WorkerCommandHandler.RunAsync(
                new WorkerCommandOptions
                {
                    Stdio = pr.GetValue(stdio),
                    Transport = pr.GetValue(transport)!,
                    StartupJson = pr.GetValue(startup),
                    Broker = pr.GetValue(broker),
                    Prefetch = pr.GetValue(prefetch),
                    Concurrency = pr.GetValue(concurrency),
                    FirstMessageTimeoutSeconds = pr.GetValue(first),
                    IdleTimeoutSeconds = pr.GetValue(idle),
                    StartupWaitSeconds = pr.GetValue(wait),
                },
                services, ct).ConfigureAwait(false);
        });
        return cmd;
    }
}
