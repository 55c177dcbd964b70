using System.Runtime.CompilerServices;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood;

/// <summary>
/// The scalar reference kernel: PHYSICS.md §3 and §4 one DOM at a time, with the algorithms of
/// <see cref="SpecialFunctions"/>. Stateless and thread-safe.
/// </summary>
internal sealed class ScalarLikelihoodKernel : ILikelihoodKernel
{
    /// <summary>The shared instance.</summary>
    public static ScalarLikelihoodKernel Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "scalar";

    /// <inheritdoc />
    public KernelKind Kind => KernelKind.Scalar;

    /// <inheritdoc />
    public double PandelLlh(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms)
    {
        var mpe = variant == PandelVariant.Mpe;
        var sum = 0.0;
        for (var i = 0; i < doms.Count; i++)
        {
            sum += Term(mpe, hypothesis, doms.X[i], doms.Y[i], doms.Z[i], doms.T1[i], doms.Multiplicity[i]);
        }

        return sum;
    }

    /// <inheritdoc />
    public void PandelTerms(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms, Span<double> destination)
    {
        if (destination.Length < doms.Count)
        {
            throw new ArgumentException("destination is shorter than the DOM batch", nameof(destination));
        }

        var mpe = variant == PandelVariant.Mpe;
        for (var i = 0; i < doms.Count; i++)
        {
            destination[i] = Term(mpe, hypothesis, doms.X[i], doms.Y[i], doms.Z[i], doms.T1[i], doms.Multiplicity[i]);
        }
    }

    /// <inheritdoc />
    public void PandelLlh(PandelVariant variant, ReadOnlySpan<TrackHypothesis> hypotheses, DomBatch doms, Span<double> destination)
    {
        if (destination.Length < hypotheses.Length)
        {
            throw new ArgumentException("destination is shorter than the hypotheses", nameof(destination));
        }

        for (var h = 0; h < hypotheses.Length; h++)
        {
            destination[h] = PandelLlh(variant, hypotheses[h], doms);
        }
    }

    /// <inheritdoc />
    public double PoissonLlh(ReadOnlySpan<double> counts, ReadOnlySpan<double> expectations, ReadOnlySpan<double> lnGammaCountsPlusOne)
    {
        if (expectations.Length != counts.Length || lnGammaCountsPlusOne.Length != counts.Length)
        {
            throw new ArgumentException("Poisson spans must have equal lengths");
        }

        var sum = 0.0;
        for (var j = 0; j < counts.Length; j++)
        {
            var k = counts[j];
            var mu = expectations[j];
            sum += mu - (k == 0 ? 0.0 : k * Math.Log(mu)) + lnGammaCountsPlusOne[j];
        }

        return sum;
    }

    /// <summary>−ln(L_i + ν) for one DOM (PHYSICS.md §3), fused: ln Γ(ξ) and ln t are computed once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Term(bool mpe, in TrackHypothesis h, double x, double y, double z, double t1, double n)
    {
        var d = h.Direction;
        var r0 = h.Vertex;
        double dx = x - r0.X, dy = y - r0.Y, dz = z - r0.Z;
        var l = (dx * d.X) + (dy * d.Y) + (dz * d.Z);
        var rho = Math.Sqrt(Math.Max((dx * dx) + (dy * dy) + (dz * dz) - (l * l), 0.0));
        var t = t1 - (h.Time + ((l + (PhysicsConstants.Kt * rho)) * PandelPdf.InvC));
        var cosEta = 0.0;
        if (rho >= PhysicsConstants.PerpendicularEpsilon)
        {
            var se = l - (rho * PandelPdf.InvTanC);
            cosEta = (dz - (se * d.Z)) / (rho * PandelPdf.InvSinC);
        }

        var deff = PandelPdf.EffectiveDistance(rho, cosEta);
        var xi = deff * PandelPdf.InvLambda;
        var lnG = SpecialFunctions.LnGamma(xi);

        double lnp = double.NegativeInfinity, lnt = 0.0;
        if (t > 0)
        {
            lnt = Math.Log(t);
            lnp = (xi * PandelPdf.LnRho) + ((xi - 1.0) * lnt) - (PandelPdf.Rho * t) - lnG;
        }

        var lnpp = lnp;
        if (deff <= PhysicsConstants.DistMagic && t < PandelPdf.T0p)
        {
            var (a0, a2, a3) = PandelPdf.PatchCoefficients(xi, lnG);
            var pp = t <= 0 ? a0 * Math.Exp(-t * t * PandelPdf.InvTwoSigma2) : a0 + (t * t * (a2 + (a3 * t)));
            lnpp = Math.Log(Math.Max(pp, 0.0));
        }
        else if (double.IsNaN(t))
        {
            lnpp = double.NaN;
        }

        var lnL = lnpp;
        if (mpe)
        {
            // SF^(N−1) = 1 for N = 1: skip the incomplete gamma.
            var lnSf = t > 0 && n > 1.0 ? SpecialFunctions.LnGammaQ(xi, PandelPdf.Rho * t, lnp + lnt) : 0.0;
            lnL = Math.Log(n) + lnpp + ((n - 1.0) * lnSf);
        }

        return -Math.Log(Math.Exp(lnL) + PhysicsConstants.NoiseDensity);
    }
}
