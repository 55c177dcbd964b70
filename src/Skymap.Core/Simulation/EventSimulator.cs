using Skymap.Core.Coordinates;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;

namespace Skymap.Core.Simulation;

/// <summary>A point-like light source of the simulation: an EM cascade.</summary>
/// <param name="Position">Position [m].</param>
/// <param name="Energy">Deposited energy [GeV].</param>
internal readonly record struct LightSource(Vector3D Position, double Energy);

/// <summary>A simulated event with the bookkeeping the event file does not carry.</summary>
/// <param name="Event">The event, with <c>truth</c>, ready to be written as <c>skymap-event/1</c>.</param>
/// <param name="IsNoise">For each pulse of <see cref="Event"/> (same order): true for a noise pulse.</param>
/// <param name="Sources">The light sources (one for a cascade; the stochastic losses along the clipped track).</param>
/// <param name="WindowStart">Start of the 10 µs event window [ns] in which noise is placed.</param>
/// <param name="ExpectedPhotons">Σ_j μ_j, the expected number of physics photons.</param>
internal sealed record SimulationResult(
    SkymapEvent Event, IReadOnlyList<bool> IsNoise, IReadOnlyList<LightSource> Sources, double WindowStart, double ExpectedPhotons)
{
    /// <summary>Number of physics (non-noise) pulses.</summary>
    public int PhysicsPulseCount => IsNoise.Count(n => !n);

    /// <summary>Number of noise pulses.</summary>
    public int NoisePulseCount => IsNoise.Count(n => n);
}

/// <summary>
/// The event simulator of PHYSICS.md §5: analytic light yield (§4), Pandel-like photon delays (§3), Poisson noise.
/// Deterministic: the same <see cref="SimulationOptions"/> (seed included) give the same event bit for bit.
/// The knobs of <see cref="SimulationOptions.Model"/> (a <see cref="TruthModel"/>) let the truth depart from the model the
/// reconstructions assume; the nominal model changes nothing.
/// </summary>
/// <remarks>
/// <para>Order of the random draws (part of the determinism contract): the track's loss factors X in order along
/// the track; then, for each active DOM in sensor-id order, the photon count and for every photon its delay,
/// jitter and charge; then, for each active DOM in sensor-id order, the noise count and for every noise pulse its
/// time and charge.</para>
/// <para>Choices the specification leaves open: the track's dE/dx uses the given energy all along the track (no
/// energy loss); the cascade delay shape is guarded to ξ ≥ <see cref="MinimumShape"/>; physics photons are kept
/// whatever their time (the window only places noise); the window is
/// [t_first − <see cref="WindowLead"/>, t_first − <see cref="WindowLead"/> + <see cref="NoiseWindow"/>) with t_first the
/// earliest physics photon time, or starts at t0 − <see cref="WindowLead"/> when there is no physics photon. Pulse times
/// are rounded to <see cref="TimeDecimals"/> and charges to <see cref="ChargeDecimals"/> decimals, which keeps files small
/// and makes the output immune to last-bit differences of the platform's <c>exp</c>/<c>log</c>/<c>sin</c>. Pulses
/// are ordered by sensor id, then time.</para>
/// </remarks>
public static class EventSimulator
{
    /// <summary>Dark-noise rate per DOM [1/ns] (500 Hz).</summary>
    public const double NoiseRate = 500e-9;

    /// <summary>Length of the event window in which noise is placed [ns] (10 µs).</summary>
    public const double NoiseWindow = 10_000.0;

    /// <summary>How long before the earliest physics photon the window starts [ns].</summary>
    public const double WindowLead = 1000.0;

    /// <summary>Gaussian time jitter σ of every photon [ns].</summary>
    public const double PhotonJitter = 3.0;

    /// <summary>Mean of the pulse charge distribution [PE].</summary>
    public const double ChargeMean = 1.0;

    /// <summary>Width σ of the pulse charge distribution [PE].</summary>
    public const double ChargeSigma = 0.3;

    /// <summary>Lower truncation of the pulse charge [PE] (smaller draws are redrawn).</summary>
    public const double ChargeMinimum = 0.25;

    /// <summary>Smallest Gamma shape ξ used for photon delays.</summary>
    public const double MinimumShape = 1e-3;

    /// <summary>Pulse times are rounded to this many decimals of a nanosecond (1 ps).</summary>
    public const int TimeDecimals = 3;

    /// <summary>Pulse charges are rounded to this many decimals of a PE.</summary>
    public const int ChargeDecimals = 3;

    private static readonly double[] PowersOfTen = [1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0, 1_000_000.0];

    /// <summary>Simulates one event on the built-in IC86 geometry.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the field).</exception>
    /// <exception cref="InvalidOperationException">The event has no pulse at all (not even noise).</exception>
    public static SkymapEvent Simulate(SimulationOptions options) => Run(options).Event;

    /// <summary>Simulates one event and returns it with the simulation's bookkeeping.</summary>
    /// <param name="options">The event to simulate.</param>
    /// <param name="geometry">Detector; the built-in IC86 when null.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message names the field).</exception>
    /// <exception cref="InvalidOperationException">The event has no pulse at all (not even noise).</exception>
    internal static SimulationResult Run(SimulationOptions options, DetectorGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        geometry ??= DetectorGeometry.IC86;
        var model = options.Model;
        var lambda = PhysicsConstants.PandelLambda * model.ScatteringScale;
        var rho = model.AbsorptionScale == 1.0
            ? PhysicsConstants.PandelRho
            : (1.0 / PhysicsConstants.PandelTau) + (PhysicsConstants.CIce / (PhysicsConstants.PandelLambdaA * model.AbsorptionScale));
        var attenuation = PhysicsConstants.YieldLambda * model.AbsorptionScale;
        var rng = new SimulationRandom(options.Seed);
        var azimuth = SkyCoordinates.WrapTwoPi(options.Azimuth);
        var direction = TravelDirection(options.Zenith, azimuth);
        var r0 = options.Vertex;
        var t0 = options.Time;

        var sources = options.Kind == SimulationKind.Track
            ? TrackSources(r0, direction, options.Energy, rng)
            : [new LightSource(r0, options.Energy)];

        var sensor = new List<int>();
        var time = new List<double>();
        var charge = new List<double>();
        var physicsCount = 0;
        var expected = 0.0;
        var earliest = double.PositiveInfinity;
        foreach (var dom in geometry.Doms)
        {
            if (!dom.Active)
            {
                continue;
            }

            // DOMs farther than 300 m from the track line (or cascade) get no light; skipping them changes nothing.
            var mu = DistanceToSources(dom.Position, r0, direction, options.Kind) > PhysicsConstants.YieldMaxDistance + 1.0
                ? 0.0
                : ExpectedPhotons(dom.Position, dom.RelativeEfficiency, sources, attenuation) * model.DomEfficiency;
            expected += mu;
            var n = rng.NextPoisson(mu);
            if (n == 0)
            {
                continue;
            }

            var (tStart, shape) = options.Kind == SimulationKind.Track
                ? TrackTiming(dom.Position, r0, t0, direction, lambda)
                : CascadeTiming(dom.Position, r0, t0, lambda);
            for (long k = 0; k < n; k++)
            {
                var t = tStart + rng.NextGamma(shape, rho) + rng.NextGaussian(0.0, model.TimeJitter);
                if (model.LateTailFraction > 0.0 && rng.NextDouble() < model.LateTailFraction)
                {
                    t += model.LateTailTime * rng.NextExponential();
                }

                var tq = Quantize(t, TimeDecimals);
                sensor.Add(dom.SensorId);
                time.Add(tq);
                charge.Add(NextCharge(rng));
                earliest = Math.Min(earliest, tq);
            }

            physicsCount += (int)n;
        }

        var windowStart = (double.IsFinite(earliest) ? earliest : t0) - WindowLead;
        var noiseMean = NoiseRate * NoiseWindow * model.NoiseScale;
        foreach (var dom in geometry.Doms)
        {
            if (!dom.Active)
            {
                continue;
            }

            var n = rng.NextPoisson(noiseMean);
            for (long k = 0; k < n; k++)
            {
                sensor.Add(dom.SensorId);
                time.Add(Quantize(windowStart + (rng.NextDouble() * NoiseWindow), TimeDecimals));
                charge.Add(NextCharge(rng));
            }
        }

        if (sensor.Count == 0)
        {
            throw new InvalidOperationException("the simulated event has no pulse (no photon and no noise); try another seed or a higher energy");
        }

        // Order by sensor id, then time; ties keep physics before noise (stable sort on the original index).
        var order = Enumerable.Range(0, sensor.Count)
            .OrderBy(i => sensor[i]).ThenBy(i => time[i]).ThenBy(i => i)
            .ToArray();
        var pulses = new PulseSeries(
            order.Select(i => sensor[i]).ToArray(),
            order.Select(i => time[i]).ToArray(),
            order.Select(i => charge[i]).ToArray());
        var isNoise = order.Select(i => i >= physicsCount).ToArray();

        var equatorial = SkyCoordinates.LocalToEquatorial(options.Zenith, azimuth, options.Mjd);
        var evt = new SkymapEvent
        {
            Header = new EventHeader(options.RunId, options.EffectiveEventId, options.EventType, options.Mjd, IsRealEvent: false),
            GeometryName = geometry.Name,
            Pulses = pulses,
            Truth = new EventTruth(
                options.Kind == SimulationKind.Track ? "track" : "cascade",
                options.Zenith, azimuth, equatorial.Ra, equatorial.Dec, r0.X, r0.Y, r0.Z, t0, options.Energy)
            {
                Model = model.IsNominal ? null : model,
            },
        };
        return new SimulationResult(evt, isNoise, sources, windowStart, expected);
    }

    /// <summary>Direction of travel d = (−sinθ cosφ, −sinθ sinφ, −cosθ) (PHYSICS.md §2).</summary>
    internal static Vector3D TravelDirection(double zenith, double azimuth)
    {
        var st = Math.Sin(zenith);
        return new Vector3D(-st * Math.Cos(azimuth), -st * Math.Sin(azimuth), -Math.Cos(zenith));
    }

    /// <summary>
    /// Clips the infinite line <c>r0 + s·d</c> to the cube |x|, |y|, |z| ≤ <paramref name="halfSize"/>; returns false when it
    /// misses the cube, else the entry and exit parameters (sMin ≤ sMax).
    /// </summary>
    internal static bool ClipToCube(Vector3D r0, Vector3D d, double halfSize, out double sMin, out double sMax)
    {
        sMin = double.NegativeInfinity;
        sMax = double.PositiveInfinity;
        ReadOnlySpan<double> p = [r0.X, r0.Y, r0.Z];
        ReadOnlySpan<double> v = [d.X, d.Y, d.Z];
        for (var axis = 0; axis < 3; axis++)
        {
            if (v[axis] == 0.0)
            {
                if (Math.Abs(p[axis]) > halfSize)
                {
                    return false;
                }

                continue;
            }

            var a = (-halfSize - p[axis]) / v[axis];
            var b = (halfSize - p[axis]) / v[axis];
            sMin = Math.Max(sMin, Math.Min(a, b));
            sMax = Math.Min(sMax, Math.Max(a, b));
        }

        return sMin <= sMax;
    }

    /// <summary>
    /// The stochastic losses of a track (PHYSICS.md §5): a cascade every 5 m from the entry point of the 600 m cube,
    /// E_seg = dE/dx·5 m·X, dE/dx = 0.26 + 3.6e-4·E_μ GeV/m, X ~ Exponential(1). Empty when the track misses the cube.
    /// </summary>
    internal static IReadOnlyList<LightSource> TrackSources(Vector3D r0, Vector3D direction, double muonEnergy, SimulationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!ClipToCube(r0, direction, PhysicsConstants.ClipHalfSize, out var sMin, out var sMax))
        {
            return [];
        }

        var dedx = 0.26 + (3.6e-4 * muonEnergy);
        var step = PhysicsConstants.CascadeSpacing;
        var count = (int)Math.Floor((sMax - sMin) / step) + 1;
        var sources = new LightSource[count];
        for (var k = 0; k < count; k++)
        {
            var s = sMin + (k * step);
            sources[k] = new LightSource(r0 + (s * direction), dedx * step * random.NextExponential());
        }

        return sources;
    }

    /// <summary>
    /// Expected photoelectrons of a DOM (PHYSICS.md §4 yield): Σ_s E_s·rde·A/(r + 0.1)·exp(−(r + 0.1)/λd), sources
    /// farther than 300 m contributing nothing.
    /// </summary>
    internal static double ExpectedPhotons(Vector3D domPosition, double relativeEfficiency, IReadOnlyList<LightSource> sources) =>
        ExpectedPhotons(domPosition, relativeEfficiency, sources, PhysicsConstants.YieldLambda);

    /// <summary>As <see cref="ExpectedPhotons(Vector3D, double, IReadOnlyList{LightSource})"/> with the attenuation length λd [m] given.</summary>
    internal static double ExpectedPhotons(Vector3D domPosition, double relativeEfficiency, IReadOnlyList<LightSource> sources, double attenuationLength)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var sum = 0.0;
        const double maxR = PhysicsConstants.YieldMaxDistance;
        // Cheap pre-check on the squared distance (with margin); the exact test is r > 300 m below.
        const double skipR2 = (maxR + 1.0) * (maxR + 1.0);
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            var dx = domPosition.X - source.Position.X;
            var dy = domPosition.Y - source.Position.Y;
            var dz = domPosition.Z - source.Position.Z;
            var r2 = (dx * dx) + (dy * dy) + (dz * dz);
            if (r2 > skipR2)
            {
                continue;
            }

            var r = Math.Sqrt(r2);
            if (r > maxR)
            {
                continue;
            }

            var rr = r + 0.1;
            sum += source.Energy * PhysicsConstants.YieldA / rr * Math.Exp(-rr / attenuationLength);
        }

        return sum * relativeEfficiency;
    }

    /// <summary>
    /// Track timing at a DOM (PHYSICS.md §3): the geometric Cherenkov time t_geo and the Pandel shape ξ = d_eff/λ.
    /// </summary>
    internal static (double TGeo, double Shape) TrackTiming(Vector3D domPosition, Vector3D r0, double t0, Vector3D direction) =>
        TrackTiming(domPosition, r0, t0, direction, PhysicsConstants.PandelLambda);

    /// <summary>As <see cref="TrackTiming(Vector3D, Vector3D, double, Vector3D)"/> with the scattering length λ [m] given.</summary>
    internal static (double TGeo, double Shape) TrackTiming(Vector3D domPosition, Vector3D r0, double t0, Vector3D direction, double scatteringLength)
    {
        var delta = domPosition - r0;
        var l = delta.Dot(direction);
        var rhoPerp = Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0.0));
        var tGeo = t0 + ((l + (PhysicsConstants.Kt * rhoPerp)) / PhysicsConstants.C);
        var cosEta = 0.0;
        if (rhoPerp >= 1e-9)
        {
            var se = l - (rhoPerp / PhysicsConstants.TanCherenkov);
            var pathLength = rhoPerp / PhysicsConstants.SinCherenkov;
            cosEta = (domPosition.Z - (r0.Z + (se * direction.Z))) / pathLength;
        }

        var dEff = (0.8395 * rhoPerp) + 3.094 - (3.946 * cosEta) + (4.636 * cosEta * cosEta);
        return (tGeo, Math.Max(dEff / scatteringLength, MinimumShape));
    }

    /// <summary>Cascade timing at a DOM (PHYSICS.md §5): t0 + |r − r0|·n_g/c and the shape ξ = |r − r0|/λ (≥ <see cref="MinimumShape"/>).</summary>
    internal static (double TDirect, double Shape) CascadeTiming(Vector3D domPosition, Vector3D r0, double t0) =>
        CascadeTiming(domPosition, r0, t0, PhysicsConstants.PandelLambda);

    /// <summary>As <see cref="CascadeTiming(Vector3D, Vector3D, double)"/> with the scattering length λ [m] given.</summary>
    internal static (double TDirect, double Shape) CascadeTiming(Vector3D domPosition, Vector3D r0, double t0, double scatteringLength)
    {
        var r = (domPosition - r0).Length;
        return (t0 + (r / PhysicsConstants.CIce), Math.Max(r / scatteringLength, MinimumShape));
    }

    private static double DistanceToSources(Vector3D position, Vector3D r0, Vector3D direction, SimulationKind kind)
    {
        var delta = position - r0;
        if (kind == SimulationKind.Cascade)
        {
            return delta.Length;
        }

        var l = delta.Dot(direction);
        return Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0.0));
    }

    private static double NextCharge(SimulationRandom rng)
    {
        double q;
        do
        {
            q = rng.NextGaussian(ChargeMean, ChargeSigma);
        }
        while (q < ChargeMinimum);

        return Math.Max(Quantize(q, ChargeDecimals), ChargeMinimum);
    }

    // Dividing the rounded integer by an exact power of ten gives the double nearest to the short decimal, which the
    // round-trip ("R") formatting of the event writer prints with at most `decimals` decimals.
    private static double Quantize(double value, int decimals)
    {
        var scale = PowersOfTen[decimals];
        return Math.Round(value * scale, MidpointRounding.AwayFromZero) / scale;
    }
}
