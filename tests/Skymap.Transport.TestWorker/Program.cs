using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Cli.Commands;
using Skymap.Core.Recos;
using Skymap.Recos;
using Skymap.Transport.Contract;

// Usage (as `skymap worker`): worker --stdio --startup-json PATH [--concurrency N]
//                             worker --transport rabbitmq --startup-json PATH [--broker A] [--prefetch N] [--concurrency N]
//                                    [--first-message-timeout S] [--idle-timeout S] [--startup-wait S]
if (args.Length == 0 || args[0] != "worker")
{
    await Console.Error.WriteLineAsync("usage: worker (--stdio | --transport rabbitmq) --startup-json PATH ...");
    return 1;
}

var o = new WorkerCommandOptions();
for (var i = 1; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    double Seconds() => double.Parse(Next(), CultureInfo.InvariantCulture);
    o = args[i] switch
    {
        "--stdio" => o with { Stdio = true },
        "--transport" => o with { Transport = Next() },
        "--startup-json" => o with { StartupJson = Next() },
        "--broker" => o with { Broker = Next() },
        "--prefetch" => o with { Prefetch = int.Parse(Next(), CultureInfo.InvariantCulture) },
        "--concurrency" => o with { Concurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
        "--first-message-timeout" => o with { FirstMessageTimeoutSeconds = Seconds() },
        "--idle-timeout" => o with { IdleTimeoutSeconds = Seconds() },
        "--startup-wait" => o with { StartupWaitSeconds = Seconds() },
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}

var services = new ServiceCollection()
    .AddLogging(b => b.AddSimpleConsole(c => c.SingleLine = true).AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace))
    .AddRecosFromAssemblies(typeof(TestDummyReco).Assembly)
    .AddSkymapBuiltinRecos()
    .BuildServiceProvider();
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await WorkerCommandHandler.RunAsync(o, services, cts.Token);
