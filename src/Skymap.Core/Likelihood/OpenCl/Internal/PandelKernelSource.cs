using System.Globalization;
using System.Text;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood.OpenCl.Internal;

/// <summary>
/// The OpenCL C source of the Pandel kernels: <see cref="ScalarLikelihoodKernel"/>'s <c>Term</c> (PHYSICS.md §3) and
/// <see cref="SpecialFunctions"/>' algorithms (shifted Stirling ln Γ, NR gser/gcf with the same tolerances and
/// iteration caps, Goldberg's log1p) statement for statement, in double precision. The constants are the host's own
/// doubles written as round-trip literals in a <c>#define</c> prologue, so both sides compute with identical bits.
/// FP_CONTRACT is off (the JIT does not fuse a·b + c either), and no fast-math option is passed.
/// </summary>
internal static class PandelKernelSource
{
    public const string LlhKernelName = "pandel_llh";
    public const string TermsKernelName = "pandel_terms";

    /// <summary>Doubles per packed hypothesis: r0 (x, y, z), t0, d (x, y, z), padding.</summary>
    public const int HypothesisStride = 8;

    public static string Build() => Prologue() + Body;

    private static string Prologue()
    {
        var sb = new StringBuilder();
        sb.Append("#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n");
        sb.Append("#pragma OPENCL FP_CONTRACT OFF\n");
        Define(sb, "RHO", PandelPdf.Rho);
        Define(sb, "LN_RHO", PandelPdf.LnRho);
        Define(sb, "T0P", PandelPdf.T0p);
        Define(sb, "X0", PandelPdf.X0);
        Define(sb, "LN_X0", PandelPdf.LnX0);
        Define(sb, "INV_TWO_SIGMA2", PandelPdf.InvTwoSigma2);
        Define(sb, "INV_LAMBDA", PandelPdf.InvLambda);
        Define(sb, "INV_C", PandelPdf.InvC);
        Define(sb, "INV_SIN_C", PandelPdf.InvSinC);
        Define(sb, "INV_TAN_C", PandelPdf.InvTanC);
        Define(sb, "KT", PhysicsConstants.Kt);
        Define(sb, "NOISE", PhysicsConstants.NoiseDensity);
        Define(sb, "DIST_MAGIC", PhysicsConstants.DistMagic);
        Define(sb, "PERP_EPS", PhysicsConstants.PerpendicularEpsilon);
        Define(sb, "DEFF_RHO", PhysicsConstants.EffectiveDistanceRho);
        Define(sb, "DEFF_CONST", PhysicsConstants.EffectiveDistanceConstant);
        Define(sb, "DEFF_COS", PhysicsConstants.EffectiveDistanceCosEta);
        Define(sb, "DEFF_COS2", PhysicsConstants.EffectiveDistanceCosEta2);
        Define(sb, "SERIES_EPS", SpecialFunctions.SeriesEpsilon);
        Define(sb, "FRACTION_EPS", SpecialFunctions.FractionEpsilon);
        Define(sb, "FPMIN", SpecialFunctions.FpMin);
        Define(sb, "STIRLING_SHIFT", SpecialFunctions.StirlingShift);
        Define(sb, "HALF_LN_TWO_PI", SpecialFunctions.HalfLnTwoPi);
        Define(sb, "S1", SpecialFunctions.S1);
        Define(sb, "S2", SpecialFunctions.S2);
        Define(sb, "S3", SpecialFunctions.S3);
        Define(sb, "S4", SpecialFunctions.S4);
        Define(sb, "S5", SpecialFunctions.S5);
        Define(sb, "S6", SpecialFunctions.S6);
        Define(sb, "S7", SpecialFunctions.S7);
        sb.Append(CultureInfo.InvariantCulture, $"#define MAX_ITER {SpecialFunctions.MaxIterations}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#define HYP_STRIDE {HypothesisStride}\n");
        return sb.ToString();
    }

    private static void Define(StringBuilder sb, string name, double value)
    {
        var literal = value.ToString("R", CultureInfo.InvariantCulture);
        if (!literal.Contains('.', StringComparison.Ordinal) && !literal.Contains('E', StringComparison.Ordinal))
        {
            literal += ".0";
        }

        sb.Append(CultureInfo.InvariantCulture, $"#define {name} ({literal})\n");
    }

    private const string Body = """

        /* Stirling's series for ln Gamma(x), x >= 10 (SpecialFunctions.Stirling). */
        double sm_stirling(double x)
        {
            double inv = 1.0 / x;
            double z = inv * inv;
            double s = inv * (S1 + (z * (S2 + (z * (S3 + (z * (S4 + (z * (S5 + (z * (S6 + (z * S7))))))))))));
            return ((x - 0.5) * log(x)) - x + HALF_LN_TWO_PI + s;
        }

        /* ln Gamma(x) (SpecialFunctions.LnGamma). */
        double sm_lngamma(double x)
        {
            if (!(x > 0.0)) {
                return x == 0.0 ? (double)INFINITY : (double)NAN;
            }
            if (isinf(x)) {
                return (double)INFINITY;
            }
            double prod = 1.0;
            for (int i = 0; i < 10 && x < STIRLING_SHIFT; i++) {
                prod *= x;
                x += 1.0;
            }
            return sm_stirling(x) - log(prod);
        }

        /* Power series of P (SpecialFunctions.Series). */
        double sm_series(double a, double x)
        {
            double ap = a;
            double term = 1.0 / a;
            double sum = term;
            for (int n = 0; n < MAX_ITER; n++) {
                ap += 1.0;
                term *= x / ap;
                sum += term;
                if (fabs(term) < fabs(sum) * SERIES_EPS) {
                    break;
                }
            }
            return sum;
        }

        /* Lentz continued fraction of Q (SpecialFunctions.Fraction). */
        double sm_fraction(double a, double x)
        {
            double b = x + 1.0 - a;
            double c = 1.0 / FPMIN;
            double d = 1.0 / b;
            double h = d;
            for (int i = 1; i <= MAX_ITER; i++) {
                double an = -i * (i - a);
                b += 2.0;
                d = (an * d) + b;
                if (fabs(d) < FPMIN) {
                    d = FPMIN;
                }
                c = b + (an / c);
                if (fabs(c) < FPMIN) {
                    c = FPMIN;
                }
                d = 1.0 / d;
                double del = d * c;
                h *= del;
                if (fabs(del - 1.0) < FRACTION_EPS) {
                    break;
                }
            }
            return h;
        }

        /* ln(1 + x), Goldberg's trick (SpecialFunctions.Log1P). */
        double sm_log1p(double x)
        {
            double u = 1.0 + x;
            return u == 1.0 ? x : log(u) * x / (u - 1.0);
        }

        /* ln Q(a, x), x > 0, given the log prefactor (SpecialFunctions.LnGammaQ). */
        double sm_lngammaq(double a, double x, double lnpre)
        {
            return x < a + 1.0
                ? sm_log1p(-(exp(lnpre) * sm_series(a, x)))
                : lnpre + log(sm_fraction(a, x));
        }

        /* -ln(L_i + nu) for one DOM (ScalarLikelihoodKernel.Term, PHYSICS.md section 3). */
        double pandel_term(int mpe,
                                  double r0x, double r0y, double r0z, double t0,
                                  double ddx, double ddy, double ddz,
                                  double x, double y, double z, double t1, double n)
        {
            double dx = x - r0x, dy = y - r0y, dz = z - r0z;
            double l = (dx * ddx) + (dy * ddy) + (dz * ddz);
            double q = (dx * dx) + (dy * dy) + (dz * dz) - (l * l);
            double rho = sqrt(q < 0.0 ? 0.0 : q);
            double t = t1 - (t0 + ((l + (KT * rho)) * INV_C));
            double cosEta = 0.0;
            if (rho >= PERP_EPS) {
                double se = l - (rho * INV_TAN_C);
                cosEta = (dz - (se * ddz)) / (rho * INV_SIN_C);
            }

            double deff = (DEFF_RHO * rho) + DEFF_CONST - (DEFF_COS * cosEta) + (DEFF_COS2 * cosEta * cosEta);
            double xi = deff * INV_LAMBDA;
            double lnG = sm_lngamma(xi);

            double lnp = -(double)INFINITY, lnt = 0.0;
            if (t > 0.0) {
                lnt = log(t);
                lnp = (xi * LN_RHO) + ((xi - 1.0) * lnt) - (RHO * t) - lnG;
            }

            double lnpp = lnp;
            if (deff <= DIST_MAGIC && t < T0P) {
                /* PandelPdf.PatchCoefficients */
                double pre = exp((xi * LN_X0) - X0 - lnG);
                double integral = pre * sm_series(xi, X0);
                double t0p = T0P;
                double p = pre / t0p;
                double dp = p * (((xi - 1.0) / t0p) - RHO);
                double t2 = t0p * t0p;
                double t3 = t2 * t0p;
                double a0 = (integral / t0p) - (p / 2.0) + (dp * t0p / 12.0);
                double a2 = (-3.0 * integral / t3) - (1.25 * dp / t0p) + (4.5 * p / t2);
                double a3 = (2.0 * integral / (t3 * t0p)) + (7.0 / 6.0 * dp / t2) - (3.0 * p / t3);
                double pp = t <= 0.0 ? a0 * exp(-t * t * INV_TWO_SIGMA2) : a0 + (t * t * (a2 + (a3 * t)));
                lnpp = log(pp < 0.0 ? 0.0 : pp); /* Math.Max(pp, 0): NaN stays NaN */
            } else if (isnan(t)) {
                lnpp = (double)NAN;
            }

            double lnL = lnpp;
            if (mpe) {
                double lnSf = t > 0.0 ? sm_lngammaq(xi, RHO * t, lnp + lnt) : 0.0;
                lnL = log(n) + lnpp + ((n - 1.0) * lnSf);
            }

            return -log(exp(lnL) + NOISE);
        }

        /* One work-group per hypothesis: each work-item sums a strided slice of the DOMs, then a fixed-shape tree
           reduction in local memory. The order depends only on n and the (fixed) work-group size: deterministic. */
        __kernel void pandel_llh(const int mpe, const int n,
                                 __global const double* restrict xs, __global const double* restrict ys,
                                 __global const double* restrict zs, __global const double* restrict t1s,
                                 __global const double* restrict ns,
                                 __global const double* restrict hyps,
                                 __global double* restrict out,
                                 __local double* scratch)
        {
            const int h = (int)get_group_id(0);
            const int lid = (int)get_local_id(0);
            const int ls = (int)get_local_size(0);
            __global const double* hp = hyps + ((size_t)h * HYP_STRIDE);
            const double r0x = hp[0], r0y = hp[1], r0z = hp[2], t0 = hp[3], ddx = hp[4], ddy = hp[5], ddz = hp[6];

            double acc = 0.0;
            for (int i = lid; i < n; i += ls) {
                acc += pandel_term(mpe, r0x, r0y, r0z, t0, ddx, ddy, ddz, xs[i], ys[i], zs[i], t1s[i], ns[i]);
            }

            scratch[lid] = acc;
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int s = ls >> 1; s > 0; s >>= 1) {
                if (lid < s) {
                    scratch[lid] += scratch[lid + s];
                }
                barrier(CLK_LOCAL_MEM_FENCE);
            }

            if (lid == 0) {
                out[h] = scratch[0];
            }
        }

        /* One work-item per DOM, one hypothesis: the per-DOM terms. */
        __kernel void pandel_terms(const int mpe, const int n,
                                   __global const double* restrict xs, __global const double* restrict ys,
                                   __global const double* restrict zs, __global const double* restrict t1s,
                                   __global const double* restrict ns,
                                   __global const double* restrict hyp,
                                   __global double* restrict out)
        {
            const int i = (int)get_global_id(0);
            if (i < n) {
                out[i] = pandel_term(mpe, hyp[0], hyp[1], hyp[2], hyp[3], hyp[4], hyp[5], hyp[6],
                                     xs[i], ys[i], zs[i], t1s[i], ns[i]);
            }
        }

        """;
}
