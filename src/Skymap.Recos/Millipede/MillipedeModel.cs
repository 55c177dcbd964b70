using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Physics;

namespace Skymap.Recos;

/// <summary>
/// What millipede precomputes once per event and shares (read-only) between workers: the DOMs of PHYSICS.md §4
/// (active, string ≤ 78, hit or not) in structure-of-arrays form with their charges, and the constant part of the llh.
/// </summary>
internal sealed class MillipedeModel
{
    private MillipedeModel()
    {
    }

    /// <summary>DOM positions [m].</summary>
    public required double[] X { get; init; }

    public required double[] Y { get; init; }

    public required double[] Z { get; init; }

    /// <summary>rde_j · A [PE·m/GeV].</summary>
    public required double[] Amplitude { get; init; }

    /// <summary>Observed charge k_j (0 when unhit).</summary>
    public required double[] Charge { get; init; }

    /// <summary>ln Γ(k_j + 1).</summary>
    public required double[] LnGammaChargePlusOne { get; init; }

    /// <summary>C0 = Σ_j [n − k_j ln n + ln Γ(k_j + 1)]: the llh with every E_s = 0.</summary>
    public required double Constant { get; init; }

    /// <summary>Charge-weighted centre of gravity of the hit DOMs (reporting, §3.1).</summary>
    public required Vector3D CentreOfGravity { get; init; }

    /// <summary>The instrumented volume for E_in.</summary>
    public required InstrumentedVolume Volume { get; init; }

    public int Count => X.Length;

    public static MillipedeModel Create(PreparedEvent prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var geometry = prepared.Event.Geometry;
        var charge = new Dictionary<int, double>();
        foreach (var h in prepared.HitDoms)
        {
            charge[h.SensorId] = h.Charge;
        }

        var doms = geometry.Doms.Where(d => d.Active && d.String <= PhysicsConstants.MillipedeMaxString).ToArray();
        var n = doms.Length;
        double[] x = new double[n], y = new double[n], z = new double[n], amp = new double[n], k = new double[n], lg = new double[n];
        var noise = PhysicsConstants.PoissonNoise;
        var c0 = 0.0;
        for (var j = 0; j < n; j++)
        {
            var d = doms[j];
            x[j] = d.Position.X;
            y[j] = d.Position.Y;
            z[j] = d.Position.Z;
            amp[j] = d.RelativeEfficiency * PhysicsConstants.YieldA;
            k[j] = charge.GetValueOrDefault(d.SensorId);
            lg[j] = SpecialFunctions.LnGamma(k[j] + 1.0);
            c0 += noise - (k[j] * Math.Log(noise)) + lg[j];
        }

        return new MillipedeModel
        {
            X = x,
            Y = y,
            Z = z,
            Amplitude = amp,
            Charge = k,
            LnGammaChargePlusOne = lg,
            Constant = c0,
            CentreOfGravity = EventPreparation.ChargeWeightedCentre(prepared.HitDoms).Position,
            Volume = InstrumentedVolume.Of(geometry),
        };
    }
}
