using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Physics;
using MathNetSf = MathNet.Numerics.SpecialFunctions;

namespace Skymap.Core.Tests.Likelihood;

/// <summary>PHYSICS.md §3 written out formula by formula with MathNet's special functions: the "exact" reference.</summary>
internal static class ExactPandel
{
    private const double Tau = 556.7;
    private const double Lambda = 33.29;
    private const double LambdaA = 98.0;
    private const double Np = 1.3195;
    private const double Ng = 1.35634;
    private const double C = 0.299792458;
    private const double Sigma = 15.0;
    private const double Nu = 1e-8;
    private const double DistMagic = 100.0;

    private static readonly double CIce = C / Ng;
    private static readonly double ThetaC = Math.Acos(1.0 / Np);
    private static readonly double Kt = ((Np * Ng) - 1.0) / (Np * Math.Sin(ThetaC));
    private static readonly double Rho = (1.0 / Tau) + (CIce / LambdaA);
    private static readonly double T0p = Math.Sqrt(2.0 * Math.PI) * Sigma;

    public static (double T, double DEff) Geometry(TrackHypothesis h, Vector3D r, double t1)
    {
        var delta = r - h.Vertex;
        var l = delta.Dot(h.Direction);
        var rhoPerp = Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0));
        var tGeo = h.Time + ((l + (Kt * rhoPerp)) / C);
        var se = l - (rhoPerp / Math.Tan(ThetaC));
        var path = rhoPerp / Math.Sin(ThetaC);
        var cosEta = rhoPerp < 1e-9 ? 0.0 : (r.Z - (h.Vertex.Z + (se * h.Direction.Z))) / path;
        var deff = (0.8395 * rhoPerp) + 3.094 - (3.946 * cosEta) + (4.636 * cosEta * cosEta);
        return (t1 - tGeo, deff);
    }

    public static double P(double t, double xi) =>
        t > 0 ? Math.Exp((xi * Math.Log(Rho)) + ((xi - 1) * Math.Log(t)) - (Rho * t) - MathNetSf.GammaLn(xi)) : 0.0;

    public static double Sf(double t, double xi) => t > 0 ? MathNetSf.GammaUpperRegularized(xi, Rho * t) : 1.0;

    public static double Pp(double t, double deff)
    {
        var xi = deff / Lambda;
        if (deff > DistMagic || t >= T0p)
        {
            return P(t, xi);
        }

        var pt = P(T0p, xi);
        var dp = pt * (((xi - 1) / T0p) - Rho);
        var i = MathNetSf.GammaLowerRegularized(xi, Rho * T0p);
        var a0 = (i / T0p) - (pt / 2) + (dp * T0p / 12);
        var a2 = (-3 * i / Math.Pow(T0p, 3)) - (1.25 * dp / T0p) + (4.5 * pt / (T0p * T0p));
        var a3 = (2 * i / Math.Pow(T0p, 4)) + (7.0 / 6.0 * dp / (T0p * T0p)) - (3 * pt / Math.Pow(T0p, 3));
        var pp = t <= 0 ? a0 * Math.Exp(-t * t / (2 * Sigma * Sigma)) : a0 + (a2 * t * t) + (a3 * t * t * t);
        return Math.Max(pp, 0);
    }

    public static double Term(PandelVariant v, TrackHypothesis h, Vector3D r, double t1, double q)
    {
        var (t, deff) = Geometry(h, r, t1);
        var pp = Pp(t, deff);
        var n = Math.Max(1, Math.Floor(q + 0.5));
        var li = v == PandelVariant.Spe ? pp : n * pp * Math.Pow(Sf(t, deff / Lambda), n - 1);
        return -Math.Log(li + Nu);
    }

    public static void CheckConstants()
    {
        Assert.Equal(PhysicsConstants.Kt, Kt, 15);
        Assert.Equal(PhysicsConstants.PandelRho, Rho, 1e-18);
    }
}

/// <summary>Random DOM sets with plausible first-hit times around a random track, plus hypotheses near it.</summary>
internal sealed class SyntheticDoms
{
    public required double[] X { get; init; }

    public required double[] Y { get; init; }

    public required double[] Z { get; init; }

    public required double[] T1 { get; init; }

    public required double[] Q { get; init; }

    public required double[] N { get; init; }

    public required TrackHypothesis Truth { get; init; }

    public DomBatch Batch => new(X, Y, Z, T1, N);

    public static SyntheticDoms Create(int seed, int count, double hugeChargeFraction = 0.02)
    {
        var rng = new Random(seed);
        var geo = Skymap.Core.Events.DetectorGeometry.IC86;
        var dir = Vector3D.FromSpherical(Math.Acos((2 * rng.NextDouble()) - 1), 2 * Math.PI * rng.NextDouble());
        var r0 = new Vector3D((rng.NextDouble() - 0.5) * 400, (rng.NextDouble() - 0.5) * 400, (rng.NextDouble() - 0.5) * 400);
        var truth = new TrackHypothesis(r0, 10000.0, dir);
        var picked = geo.Doms.Where(d => d.Active).OrderBy(_ => rng.Next()).Take(count).ToArray();
        var n = picked.Length;
        double[] x = new double[n], y = new double[n], z = new double[n], t1 = new double[n], q = new double[n], m = new double[n];
        for (var i = 0; i < n; i++)
        {
            var p = picked[i].Position;
            x[i] = p.X;
            y[i] = p.Y;
            z[i] = p.Z;
            var (tGeoResidualZero, _) = ExactPandel.Geometry(truth, p, 0.0);
            var tGeo = -tGeoResidualZero;
            // Delay: mixture of early (jitter), prompt and late/noise residuals.
            var u = rng.NextDouble();
            var delay = u < 0.15 ? (rng.NextDouble() - 0.7) * 80 : u < 0.9 ? -Math.Log(1 - rng.NextDouble()) * 150 : (rng.NextDouble() - 0.3) * 8000;
            t1[i] = tGeo + delay;
            q[i] = rng.NextDouble() < hugeChargeFraction ? 1000 + (rng.NextDouble() * 20000) : 0.2 + (-Math.Log(1 - rng.NextDouble()) * 3);
            m[i] = HitDomArrays.Multiplicity(q[i]);
        }

        return new SyntheticDoms { X = x, Y = y, Z = z, T1 = t1, Q = q, N = m, Truth = truth };
    }

    public TrackHypothesis RandomHypothesis(Random rng, double maxOffset, double maxAngleDeg, double maxDt)
    {
        var d = Truth.Direction;
        var pert = new Vector3D(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * (2 * Math.Tan(maxAngleDeg * Math.PI / 180) * rng.NextDouble());
        var nd = (d + pert).Normalized();
        var off = new Vector3D(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * (2 * maxOffset);
        return new TrackHypothesis(Truth.Vertex + off, Truth.Time + ((rng.NextDouble() - 0.5) * 2 * maxDt), nd);
    }

    public double Exact(PandelVariant v, TrackHypothesis h)
    {
        var s = 0.0;
        for (var i = 0; i < X.Length; i++)
        {
            s += ExactPandel.Term(v, h, new Vector3D(X[i], Y[i], Z[i]), T1[i], Q[i]);
        }

        return s;
    }
}
