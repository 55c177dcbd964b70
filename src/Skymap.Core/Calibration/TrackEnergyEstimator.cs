using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;
using Skymap.Core.Simulation;

namespace Skymap.Core.Calibration;

/// <summary>
/// The muon energy whose expected charge matches an event's (PHYSICS.md §5 yield): the pandel recos fit no energy, so a
/// calibration re-simulates at the energy that makes the best-fit track as bright as the event under the truth model.
/// </summary>
/// <remarks>
/// The expected physics photons of a track are dE/dx·5 m·Σ_j eff·rde_j·Σ_s yield(r_js) (E[X] = 1 for the losses), so
/// dE/dx = (Q − Q_noise)/(q̄·5 m·Σ yield) with q̄ ≈ 1.0053 PE the mean pulse charge (N(1, 0.3) truncated at 0.25) and
/// Q_noise the expected noise charge; E = (dE/dx − 0.26)/3.6e-4, at least <see cref="MinimumEnergy"/>.
/// </remarks>
internal static class TrackEnergyEstimator
{
    /// <summary>The lowest energy returned [GeV] (below ~1 TeV a track's brightness hardly depends on its energy).</summary>
    public const double MinimumEnergy = 100.0;

    /// <summary>Mean pulse charge of the simulator [PE] (truncated normal N(1, 0.3) ≥ 0.25).</summary>
    public const double MeanPulseCharge = 1.0053;

    /// <summary>The energy of the track (direction of travel, through <paramref name="vertex"/>) that matches the event's charge.</summary>
    /// <param name="evt">The event (its total charge is used; pulses of inactive DOMs are ignored).</param>
    /// <param name="zenith">Zenith the track comes from [rad].</param>
    /// <param name="azimuth">Azimuth the track comes from [rad].</param>
    /// <param name="vertex">A point of the track [m].</param>
    /// <param name="model">The truth model (DOM efficiency, attenuation, noise rate).</param>
    public static double Estimate(SkymapEvent evt, double zenith, double azimuth, Vector3D vertex, TruthModel model)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(model);
        var geometry = evt.Geometry;
        var direction = EventSimulator.TravelDirection(zenith, azimuth);
        var active = new bool[geometry.Count];
        var activeCount = 0;
        foreach (var dom in geometry.Doms)
        {
            active[dom.SensorId] = dom.Active;
            activeCount += dom.Active ? 1 : 0;
        }

        var charge = 0.0;
        var pulses = evt.Pulses;
        for (var i = 0; i < pulses.Count; i++)
        {
            if (active[pulses.SensorId[i]])
            {
                charge += pulses.Charge[i];
            }
        }

        var noiseCharge = activeCount * EventSimulator.NoiseRate * EventSimulator.NoiseWindow * model.NoiseScale * MeanPulseCharge;
        if (!EventSimulator.ClipToCube(vertex, direction, PhysicsConstants.ClipHalfSize, out var sMin, out var sMax))
        {
            return MinimumEnergy;
        }

        // Unit dE/dx: every 5 m source carries 5 GeV.
        var step = PhysicsConstants.CascadeSpacing;
        var count = (int)Math.Floor((sMax - sMin) / step) + 1;
        var sources = new LightSource[count];
        for (var k = 0; k < count; k++)
        {
            sources[k] = new LightSource(vertex + ((sMin + (k * step)) * direction), step);
        }

        var attenuation = PhysicsConstants.YieldLambda * model.AbsorptionScale;
        var yieldPerDedx = 0.0;
        foreach (var dom in geometry.Doms)
        {
            if (dom.Active)
            {
                yieldPerDedx += EventSimulator.ExpectedPhotons(dom.Position, dom.RelativeEfficiency, sources, attenuation);
            }
        }

        yieldPerDedx *= model.DomEfficiency;
        if (!(yieldPerDedx > 0))
        {
            return MinimumEnergy;
        }

        var dedx = Math.Max(charge - noiseCharge, 0.0) / MeanPulseCharge / yieldPerDedx;
        var energy = (dedx - 0.26) / 3.6e-4;
        return double.IsFinite(energy) ? Math.Max(energy, MinimumEnergy) : MinimumEnergy;
    }
}
