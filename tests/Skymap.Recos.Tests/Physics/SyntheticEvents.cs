using MathNet.Numerics.Distributions;
using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Physics;
using Skymap.Core.Recos;

namespace Skymap.Recos.Tests.Physics;

/// <summary>
/// A minimal in-test track-event generator after PHYSICS.md §5: cascades every 5 m along the clipped track with
/// E_seg = dEdx·5 m·Exp(1); per active DOM Poisson photons from the §4 yield; each photon at t_geo + Gamma(ξ, ρ)
/// + N(0, 3 ns), charge N(1, 0.3) ≥ 0.25; optional noise hits. Deterministic for a seed.
/// </summary>
internal static class SyntheticEvents
{
    public static SkymapEvent Track(int seed, double zenith, double azimuth, Vector3D r0, double energy, bool noise = true)
    {
        var rng = new Random(seed);
        var geo = DetectorGeometry.IC86;
        var dir = new LocalDirection(zenith, azimuth);
        var d = dir.Travel;
        const double t0 = 10000.0;
        var track = new TrackHypothesis(r0, t0, d);
        var dEdx = 0.26 + (3.6e-4 * energy);
        var sources = new List<(Vector3D Pos, double E)>();
        if (Clip(r0, d, out var sIn, out var sOut))
        {
            for (var s = sIn; s <= sOut; s += PhysicsConstants.CascadeSpacing)
            {
                sources.Add((r0 + (s * d), dEdx * PhysicsConstants.CascadeSpacing * Exponential.Sample(rng, 1.0)));
            }
        }

        var ids = new List<int>();
        var times = new List<double>();
        var charges = new List<double>();
        foreach (var dom in geo.Doms.Where(x => x.Active))
        {
            var mu = 0.0;
            foreach (var (pos, e) in sources)
            {
                var r = (dom.Position - pos).Length;
                if (r <= PhysicsConstants.YieldMaxDistance)
                {
                    mu += e * dom.RelativeEfficiency * PhysicsConstants.YieldA / (r + 0.1) * Math.Exp(-(r + 0.1) / PhysicsConstants.YieldLambda);
                }
            }

            var n = mu > 0 ? Poisson.Sample(rng, mu) : 0;
            if (n > 0)
            {
                var (tRes0, deff) = PandelPdf.Geometry(track, dom.Position.X, dom.Position.Y, dom.Position.Z, 0.0);
                var tGeo = -tRes0;
                var xi = deff / PhysicsConstants.PandelLambda;
                for (var i = 0; i < n; i++)
                {
                    ids.Add(dom.SensorId);
                    times.Add(tGeo + Gamma.Sample(rng, xi, PhysicsConstants.PandelRho) + Normal.Sample(rng, 0, 3));
                    charges.Add(Charge(rng));
                }
            }

            if (noise)
            {
                var k = Poisson.Sample(rng, 500e-9 * 10000);
                for (var i = 0; i < k; i++)
                {
                    ids.Add(dom.SensorId);
                    times.Add(t0 - 3000 + (rng.NextDouble() * 10000));
                    charges.Add(Charge(rng));
                }
            }
        }

        return new SkymapEvent
        {
            Header = new EventHeader(1, seed, "synthetic", 60000.0, false),
            Pulses = new PulseSeries(ids.ToArray(), times.ToArray(), charges.ToArray()),
            Truth = new EventTruth("track", zenith, azimuth, 0, 0, r0.X, r0.Y, r0.Z, t0, energy),
        };
    }

    private static double Charge(Random rng) => Math.Max(0.25, Normal.Sample(rng, 1, 0.3));

    private static bool Clip(Vector3D r0, Vector3D d, out double sIn, out double sOut)
    {
        sIn = double.NegativeInfinity;
        sOut = double.PositiveInfinity;
        double[] o = [r0.X, r0.Y, r0.Z], v = [d.X, d.Y, d.Z];
        for (var a = 0; a < 3; a++)
        {
            if (v[a] == 0)
            {
                if (Math.Abs(o[a]) > 600)
                {
                    return false;
                }

                continue;
            }

            var t1 = (-600 - o[a]) / v[a];
            var t2 = (600 - o[a]) / v[a];
            sIn = Math.Max(sIn, Math.Min(t1, t2));
            sOut = Math.Min(sOut, Math.Max(t1, t2));
        }

        return sIn <= sOut;
    }

    /// <summary>The seed time refinement of SCANNER.md §6 (the scan engine's job; repeated here for tests).</summary>
    public static double RefineTime(PreparedEvent prepared, Vector3D vertex, double tIn, Vector3D d)
    {
        var best = double.PositiveInfinity;
        var t = tIn;
        foreach (var h in prepared.HitDoms)
        {
            var delta = h.Position - vertex;
            var l = delta.Dot(d);
            var rho = Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0));
            if (rho < best)
            {
                best = rho;
                t = h.T1 - ((l + (rho * PhysicsConstants.TanCherenkov)) / PhysicsConstants.C);
            }
        }

        return t;
    }

    /// <summary>v′ = Rz(φ)·Ry(θ)·v (SCANNER.md §6).</summary>
    public static Vector3D Rotate(Vector3D v, LocalDirection dir)
    {
        double c = Math.Cos(dir.Zenith), s = Math.Sin(dir.Zenith);
        var y = new Vector3D((s * v.Z) + (c * v.X), v.Y, (c * v.Z) - (s * v.X));
        double cb = Math.Cos(dir.Azimuth), sb = Math.Sin(dir.Azimuth);
        return new Vector3D((cb * y.X) - (sb * y.Y), (sb * y.X) + (cb * y.Y), y.Z);
    }

    /// <summary>What the scan engine does for one pixel: every variation (rotated / time-refined per the reco's flags), best llh.</summary>
    public static RecoFitResult FitPixel(IRecoAlgorithm reco, IRecoWorker worker, PreparedEvent prepared, LocalDirection dir)
    {
        RecoFitResult? best = null;
        var d = dir.Travel;
        for (var i = 0; i < reco.VertexVariations.Count; i++)
        {
            var offset = reco.VertexVariations[i];
            if (reco.Flags.HasFlag(RecoFlags.RotateVertex))
            {
                offset = Rotate(offset, dir);
            }

            var pos = prepared.SeedVertex + offset;
            var time = reco.Flags.HasFlag(RecoFlags.RefineTime) ? RefineTime(prepared, pos, prepared.SeedTime, d) : prepared.SeedTime;
            var r = worker.Fit(
                new PixelVariation { Id = new(8, 0, i), Direction = dir, Seed = new RecoSeed(pos, time, double.NaN) },
                CancellationToken.None);
            if (best is null || r.Llh < best.Value.Llh)
            {
                best = r;
            }
        }

        return best!.Value;
    }
}
