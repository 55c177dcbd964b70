using MathNet.Numerics.Distributions;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Physics;
using Skymap.Core.Recos;

namespace Skymap.Benchmarks;

/// <summary>A compact track-event generator after PHYSICS.md §5 (deterministic), for benchmarks.</summary>
internal static class SyntheticTrack
{
    public static SkymapEvent Create(int seed, LocalDirection dir, Vector3D r0, double energy)
    {
        var rng = new Random(seed);
        var d = dir.Travel;
        var track = new TrackHypothesis(r0, 10000.0, d);
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
        foreach (var dom in DetectorGeometry.IC86.Doms.Where(x => x.Active))
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
            var (tRes0, deff) = PandelPdf.Geometry(track, dom.Position.X, dom.Position.Y, dom.Position.Z, 0.0);
            for (var i = 0; i < n; i++)
            {
                ids.Add(dom.SensorId);
                times.Add(-tRes0 + Gamma.Sample(rng, deff / PhysicsConstants.PandelLambda, PhysicsConstants.PandelRho) + Normal.Sample(rng, 0, 3));
                charges.Add(Math.Max(0.25, Normal.Sample(rng, 1, 0.3)));
            }

            for (var i = Poisson.Sample(rng, 0.005); i > 0; i--)
            {
                ids.Add(dom.SensorId);
                times.Add(7000 + (rng.NextDouble() * 10000));
                charges.Add(Math.Max(0.25, Normal.Sample(rng, 1, 0.3)));
            }
        }

        return new SkymapEvent
        {
            Header = new EventHeader(1, seed, "synthetic", 60000.0, false),
            Pulses = new PulseSeries(ids.ToArray(), times.ToArray(), charges.ToArray()),
        };
    }

    /// <summary>
    /// <paramref name="count"/> DOMs for kernel throughput: the hit DOMs of a synthetic ~100 TeV track event (their
    /// t1 and charges), tiled with a few ns of jitter per copy; and 16 hypotheses within ±30 m / ±30 ns of the truth.
    /// </summary>
    public static (HitDomArrays Doms, TrackHypothesis[] Hypotheses) KernelInput(int count, int seed)
    {
        var rng = new Random(seed);
        var dir = new LocalDirection(1.1, 2.3);
        var truth = new TrackHypothesis(new Vector3D(40, -30, 20), 10000, dir.Travel);
        var evt = Create(17, dir, truth.Vertex, 1e5);
        var hitDoms = EventPreparation.Summarize(evt);
        var hits = new List<HitDom>(count);
        for (var i = 0; i < count; i++)
        {
            var h = hitDoms[i % hitDoms.Count];
            hits.Add(i < hitDoms.Count ? h : h with { T1 = h.T1 + ((rng.NextDouble() - 0.5) * 10) });
        }

        var hyps = Enumerable.Range(0, 16)
            .Select(_ => truth with
            {
                Vertex = truth.Vertex + new Vector3D((rng.NextDouble() - 0.5) * 60, (rng.NextDouble() - 0.5) * 60, (rng.NextDouble() - 0.5) * 60),
                Time = truth.Time + ((rng.NextDouble() - 0.5) * 60),
            })
            .ToArray();
        return (HitDomArrays.FromHits(hits), hyps);
    }

    private static bool Clip(Vector3D r0, Vector3D d, out double sIn, out double sOut)
    {
        sIn = double.NegativeInfinity;
        sOut = double.PositiveInfinity;
        double[] o = [r0.X, r0.Y, r0.Z], v = [d.X, d.Y, d.Z];
        for (var a = 0; a < 3; a++)
        {
            var t1 = (-600 - o[a]) / v[a];
            var t2 = (600 - o[a]) / v[a];
            sIn = Math.Max(sIn, Math.Min(t1, t2));
            sOut = Math.Min(sOut, Math.Max(t1, t2));
        }

        return sIn <= sOut;
    }
}
