using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood.Internal;

/// <summary>The Pandel and Poisson likelihoods of PHYSICS.md §3/§4 over vectors of DOMs (generic over the width).</summary>
internal static class SimdPandel
{
    /// <summary>Σ_i −ln(L_i + ν), optionally storing the terms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Llh<T>(bool mpe, in TrackHypothesis h, DomBatch doms, Span<double> terms)
        where T : struct, IVec<T>
    {
        var n = doms.Count;
        var w = T.Count;
        var store = !terms.IsEmpty;
        var hv = new Hyp<T>(h);
        ref var x = ref MemoryMarshal.GetReference(doms.X);
        ref var y = ref MemoryMarshal.GetReference(doms.Y);
        ref var z = ref MemoryMarshal.GetReference(doms.Z);
        ref var t1 = ref MemoryMarshal.GetReference(doms.T1);
        ref var m = ref MemoryMarshal.GetReference(doms.Multiplicity);
        var haveLnN = !doms.LnMultiplicity.IsEmpty;
        ref var lnm = ref haveLnN ? ref MemoryMarshal.GetReference(doms.LnMultiplicity) : ref m;
        var acc = T.Create(0.0);
        var i = 0;
        for (; i <= n - w; i += w)
        {
            var term = Term(mpe, hv,
                ref Unsafe.Add(ref x, i), ref Unsafe.Add(ref y, i), ref Unsafe.Add(ref z, i),
                ref Unsafe.Add(ref t1, i), ref Unsafe.Add(ref m, i), ref Unsafe.Add(ref lnm, i), haveLnN);
            acc += term;
            if (store)
            {
                T.Store(term, ref terms[i]);
            }
        }

        var sum = T.Sum(acc);
        if (i < n)
        {
            // Tail: pad a full vector with copies of the last DOM and keep only the real lanes.
            Span<double> buf = stackalloc double[7 * 8];
            var bx = buf[..w];
            var by = buf.Slice(w, w);
            var bz = buf.Slice(2 * w, w);
            var bt = buf.Slice(3 * w, w);
            var bm = buf.Slice(4 * w, w);
            var bo = buf.Slice(5 * w, w);
            var bl = buf.Slice(6 * w, w);
            for (var k = 0; k < w; k++)
            {
                var src = Math.Min(i + k, n - 1);
                bx[k] = doms.X[src];
                by[k] = doms.Y[src];
                bz[k] = doms.Z[src];
                bt[k] = doms.T1[src];
                bm[k] = doms.Multiplicity[src];
                bl[k] = haveLnN ? doms.LnMultiplicity[src] : 0.0;
            }

            var term = Term(mpe, hv, ref bx[0], ref by[0], ref bz[0], ref bt[0], ref bm[0], ref bl[0], haveLnN);
            T.Store(term, ref bo[0]);
            for (var k = 0; i + k < n; k++)
            {
                sum += bo[k];
                if (store)
                {
                    terms[i + k] = bo[k];
                }
            }
        }

        return sum;
    }

    /// <summary>−Σ_j [k ln μ − μ − lnΓ(k + 1)].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Poisson<T>(ReadOnlySpan<double> k, ReadOnlySpan<double> mu, ReadOnlySpan<double> lng)
        where T : struct, IVec<T>
    {
        var n = k.Length;
        var w = T.Count;
        ref var kr = ref MemoryMarshal.GetReference(k);
        ref var mr = ref MemoryMarshal.GetReference(mu);
        ref var gr = ref MemoryMarshal.GetReference(lng);
        var zero = T.Create(0.0);
        var acc = zero;
        var i = 0;
        for (; i <= n - w; i += w)
        {
            var kv = T.Load(ref Unsafe.Add(ref kr, i));
            var mv = T.Load(ref Unsafe.Add(ref mr, i));
            var klog = T.Select(T.Equal(kv, zero), zero, kv * SimdMath.Log(mv));
            acc += mv - klog + T.Load(ref Unsafe.Add(ref gr, i));
        }

        var sum = T.Sum(acc);
        for (; i < n; i++)
        {
            sum += mu[i] - (k[i] == 0 ? 0.0 : k[i] * Math.Log(mu[i])) + lng[i];
        }

        return sum;
    }

    /// <summary>
    /// −ln(L_i + ν) lane-wise: PHYSICS.md §3 rearranged to need fewer transcendental calls than the scalar reference.
    /// ln Γ(ξ) is carried as G − ln(invR) (<see cref="SimdMath.LnGammaSplit{T}"/>), with invR applied as a factor;
    /// the jitter patch is evaluated relative to its prefactor e^{ξ ln x0 − x0 − ln Γ(ξ)}, so ln pp = ln(prefactor) +
    /// ln(c(t)) and the Gaussian branch needs no exp. All "primed" logs below are the true ones plus ln R.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Term<T>(
        bool mpe, in Hyp<T> h, ref double xRef, ref double yRef, ref double zRef, ref double t1Ref, ref double nRef, ref double lnNRef, bool haveLnN)
        where T : struct, IVec<T>
    {
        // The DOMs are loaded here from references: vectors passed by value to a call that is not inlined go through the
        // stack (six 64-byte copies per call at SIMD-512).
        var x = T.Load(ref xRef);
        var y = T.Load(ref yRef);
        var z = T.Load(ref zRef);
        var t1 = T.Load(ref t1Ref);
        var n = T.Load(ref nRef);
        var lnN = T.Load(ref lnNRef);
        var zero = T.Create(0.0);
        var one = T.Create(1.0);
        var dx = x - h.X;
        var dy = y - h.Y;
        var dz = z - h.Z;
        var l = T.Fma(dx, h.DX, T.Fma(dy, h.DY, dz * h.DZ));
        var r2 = T.Fma(dx, dx, T.Fma(dy, dy, dz * dz));
        var rho = T.Sqrt(T.Max(r2 - (l * l), zero));
        var t = t1 - (h.Time + (T.Fma(T.Create(PhysicsConstants.Kt), rho, l) * T.Create(PandelPdf.InvC)));

        var se = l - (rho * T.Create(PandelPdf.InvTanC));
        var cosEta = (dz - (se * h.DZ)) / (rho * T.Create(PandelPdf.InvSinC));
        cosEta = T.Select(T.LessThan(rho, T.Create(PhysicsConstants.PerpendicularEpsilon)), zero, cosEta);
        var deff = T.Fma(T.Create(PhysicsConstants.EffectiveDistanceRho), rho, T.Create(PhysicsConstants.EffectiveDistanceConstant))
            + (cosEta * T.Fma(T.Create(PhysicsConstants.EffectiveDistanceCosEta2), cosEta, T.Create(-PhysicsConstants.EffectiveDistanceCosEta)));
        var positive = T.GreaterThan(t, zero);
        var patch = T.LessThanOrEqual(deff, T.Create(PhysicsConstants.DistMagic)) & T.LessThan(t, T.Create(PandelPdf.T0p));

        // Lanes with t ≤ 0 outside the patch have pp = 0, so L = 0 and the term is −ln ν. When every lane of the
        // vector is such a lane (and none is NaN), skip the special functions: same value, a fraction of the work.
        if (!T.AnyTrue(positive | patch | T.AndNot(SimdMath.AllBits<T>(), T.Equal(t, t))))
        {
            return T.Create(-Math.Log(PhysicsConstants.NoiseDensity));
        }

        var xi = deff * T.Create(PandelPdf.InvLambda);
        var g = SimdMath.LnGammaSplit(xi, out var invR);

        var lnt = SimdMath.Log(T.Select(positive, t, one));
        var rhoT = T.Create(PandelPdf.Rho) * t;
        var lnpPrime = (xi * T.Create(PandelPdf.LnRho)) + ((xi - one) * lnt) - rhoT - g;
        var lnppPrime = T.Select(positive, lnpPrime, T.Create(double.NegativeInfinity));

        if (T.AnyTrue(patch))
        {
            // Coefficients divided by the prefactor pre = e^{ξ ln x0 − x0 − ln Γ(ξ)}: I/pre = S(ξ, x0),
            // P/pre = 1/t0p, P'/pre = ((ξ − 1)/t0p − ρ)/t0p.
            var inv1 = T.Create(1.0 / PandelPdf.T0p);
            var inv2 = T.Create(1.0 / (PandelPdf.T0p * PandelPdf.T0p));
            var inv3 = T.Create(1.0 / (PandelPdf.T0p * PandelPdf.T0p * PandelPdf.T0p));
            var inv4 = T.Create(1.0 / (PandelPdf.T0p * PandelPdf.T0p * PandelPdf.T0p * PandelPdf.T0p));
            var integral = SimdMath.Series(xi, T.Create(PandelPdf.X0), patch);
            var p = inv1;
            var dp = inv1 * T.Fma(xi - one, inv1, T.Create(-PandelPdf.Rho));
            var a0 = (integral * inv1) - (p * T.Create(0.5)) + (dp * T.Create(PandelPdf.T0p / 12.0));
            var a2 = (T.Create(-3.0) * integral * inv3) - (T.Create(1.25) * dp * inv1) + (T.Create(4.5) * p * inv2);
            var a3 = (T.Create(2.0) * integral * inv4) + (T.Create(7.0 / 6.0) * dp * inv2) - (T.Create(3.0) * p * inv3);
            var c = T.Select(positive, T.Fma(t * t, T.Fma(a3, t, a2), a0), a0);
            var lnPre0Prime = (xi * T.Create(PandelPdf.LnX0)) - T.Create(PandelPdf.X0) - g;
            var gauss = T.Select(positive, zero, t * t * T.Create(PandelPdf.InvTwoSigma2));
            var lnppPatch = lnPre0Prime + T.Log(T.Max(c, T.Create(SimdMath.MinLogArgument))) - gauss; // rare branch: the BCL's call
            lnppPrime = T.Select(patch, lnppPatch, lnppPrime);
        }

        var lnLPrime = lnppPrime;
        if (mpe)
        {
            var multi = T.GreaterThan(n, one);
            if (T.AnyTrue(multi))
            {
                var lnSf = SimdMath.LnGammaQ(xi, rhoT, lnpPrime + lnt, invR, positive & multi);
                var logN = haveLnN ? lnN : T.Log(n);
                lnLPrime = logN + lnppPrime + ((n - one) * lnSf);
            }
        }

        // Arguments of exp and log are kept inside the range where SimdMath's inlined routines apply: exp(−∞) (t ≤ 0
        // outside the patch: a quarter of the DOMs of a typical fit) or a log of 0 sends the whole vector to the BCL's
        // routine, whose own per-lane scalar fallback for them cost ≈ 30 % of the MPE kernel's time. e^−700·invR and
        // the patch's ln(1e-300) are ≪ ν, so −ln(L + ν) is unchanged.
        var likelihood = SimdMath.Exp(T.Max(lnLPrime, T.Create(SimdMath.MinExpArgument))) * invR;

        // NaN residuals (NaN inputs) propagate: the comparisons above are false for them.
        likelihood = T.Select(T.Equal(t, t), likelihood, T.Create(double.NaN));
        return zero - SimdMath.Log(likelihood + T.Create(PhysicsConstants.NoiseDensity));
    }

    private readonly struct Hyp<T>
        where T : struct, IVec<T>
    {
        public readonly T X;
        public readonly T Y;
        public readonly T Z;
        public readonly T Time;
        public readonly T DX;
        public readonly T DY;
        public readonly T DZ;

        public Hyp(in TrackHypothesis h)
        {
            X = T.Create(h.Vertex.X);
            Y = T.Create(h.Vertex.Y);
            Z = T.Create(h.Vertex.Z);
            Time = T.Create(h.Time);
            DX = T.Create(h.Direction.X);
            DY = T.Create(h.Direction.Y);
            DZ = T.Create(h.Direction.Z);
        }
    }
}
