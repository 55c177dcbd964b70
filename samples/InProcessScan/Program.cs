// A whole in-process scan in a dozen lines of library code.
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Recos;
using Skymap.Transport.InProcess;

var evt = BuiltinEvents.Load(args.Length > 0 ? args[0] : "builtin:oscnext-genie-0");
var reco = new DummyReco();
await using var dispatcher = new InProcessDispatcher(workers: 2);
var options = new ScanOptions { Progression = NSideProgression.Parse("8:0 64:12"), Seed = 1 };
var files = new FileScanObserver(Path.Combine(Path.GetTempPath(), "skymap-sample"));
var outcome = await new ScanEngine(reco, dispatcher, options, [files]).RunAsync(evt, CancellationToken.None);

var best = outcome.Result.ToSkyScanResult().BestFit();
Console.WriteLine($"{outcome.Status}: {outcome.Tallies.Done} recos; best nside {best?.Nside} pixel {best?.Index} llh {best?.Llh}");
Console.WriteLine($"result: {files.LatestResult?.Json}");
return outcome.Status == ScanStatus.Completed ? 0 : 1;
