using System.Globalization;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;
using Skymap.Recos;

namespace Skymap.Cli.Commands;

/// <summary><c>skymap llh</c>: the llh of one hypothesis of a physics reco (wired to the command line elsewhere).</summary>
public static class LlhCommandHandler
{
    /// <summary>
    /// Loads the event, prepares it as the reco does, evaluates the llh at (zenith, azimuth, x, y, z, t) and prints it in
    /// round-trip format on one line.
    /// </summary>
    /// <returns>0 on success; 1 with one error line on <paramref name="stderr"/> otherwise.</returns>
    public static int Run(
        string eventSpec, string reco, double zenith, double azimuth, double x, double y, double z, double t, string kernel, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            ArgumentNullException.ThrowIfNull(eventSpec);
            ArgumentNullException.ThrowIfNull(reco);
            var kind = LikelihoodKernels.Parse(kernel ?? "auto");
            IRecoAlgorithm algorithm = reco switch
            {
                "pandel_spe" => new PandelSpeReco(),
                "pandel_mpe" => new PandelMpeReco(),
                "millipede" => new MillipedeReco(),
                _ => throw new ArgumentException($"unknown reco '{reco}' (known: {string.Join(", ", PhysicsLlh.Recos)})"),
            };
            foreach (var (name, value) in new[] { ("zenith", zenith), ("azimuth", azimuth), ("x", x), ("y", y), ("z", z), ("t", t) })
            {
                if (!double.IsFinite(value))
                {
                    throw new ArgumentException($"{name} must be a finite number");
                }
            }

            var evt = BuiltinEvents.Load(eventSpec);
            var prepared = algorithm.Prepare(evt, new RecoContext());
            var llh = PhysicsLlh.Evaluate(prepared, reco, new LocalDirection(zenith, azimuth), new Vector3D(x, y, z), t, kind);
            stdout.WriteLine(llh.ToString("R", CultureInfo.InvariantCulture));
            return 0;
        }
#pragma warning disable CA1031 // A command reports any failure as one error line and a non-zero exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
