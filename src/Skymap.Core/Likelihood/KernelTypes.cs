using Skymap.Core.Events;
using Skymap.Core.Geometry;

namespace Skymap.Core.Likelihood;

/// <summary>Which likelihood kernel to use (<c>--kernel auto|scalar|simd|ilgpu|ilgpu-cpu</c>).</summary>
internal enum KernelKind
{
    /// <summary>
    /// The SIMD kernel when vector hardware is accelerated, else the scalar one; a GPU (<see cref="Ilgpu"/>) only where
    /// fits are batched (<see cref="LikelihoodKernels.CreateForBatches"/>), since one hypothesis per launch does not pay.
    /// </summary>
    Auto,

    /// <summary>The scalar reference kernel.</summary>
    Scalar,

    /// <summary>The SIMD kernel (widest accelerated vector: 512, 256 or 128 bits).</summary>
    Simd,

    /// <summary>The ILGPU kernel on a GPU (<c>Skymap.Core.Likelihood.Ilgpu.IlgpuLikelihoodKernel</c>): CUDA first, then an ILGPU-accepted OpenCL device.</summary>
    Ilgpu,

    /// <summary>The ILGPU kernel on ILGPU's CPU accelerator (tests and checks; slower than SIMD).</summary>
    IlgpuCpu,
}

/// <summary>The per-DOM likelihood of the Pandel track recos (PHYSICS.md §3).</summary>
internal enum PandelVariant
{
    /// <summary><c>pandel_spe</c>: L_i = pp(t).</summary>
    Spe,

    /// <summary><c>pandel_mpe</c>: L_i = N·pp(t)·SF(t)^(N−1).</summary>
    Mpe,
}

/// <summary>An infinite track: passes <see cref="Vertex"/> at <see cref="Time"/> travelling along <see cref="Direction"/>.</summary>
/// <param name="Vertex">A point r0 of the track [m].</param>
/// <param name="Time">The time t0 at which the particle is at r0 [ns].</param>
/// <param name="Direction">Unit direction of travel d.</param>
internal readonly record struct TrackHypothesis(Vector3D Vertex, double Time, Vector3D Direction);

/// <summary>
/// Per-DOM inputs of the Pandel likelihood in structure-of-arrays form: DOM positions, first-hit times t1 and
/// multiplicities N = max(1, floor(Q + 0.5)). All spans have the same length.
/// </summary>
internal readonly ref struct DomBatch
{
    /// <summary>Wraps the spans.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public DomBatch(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> t1, ReadOnlySpan<double> multiplicity)
        : this(x, y, z, t1, multiplicity, default)
    {
    }

    /// <summary>Wraps the spans, with ln N precomputed (empty: the kernels compute it).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public DomBatch(
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> t1, ReadOnlySpan<double> multiplicity, ReadOnlySpan<double> lnMultiplicity)
    {
        if (y.Length != x.Length || z.Length != x.Length || t1.Length != x.Length || multiplicity.Length != x.Length
            || (!lnMultiplicity.IsEmpty && lnMultiplicity.Length != x.Length))
        {
            throw new ArgumentException("DOM batch spans must have equal lengths");
        }

        LnMultiplicity = lnMultiplicity;

        X = x;
        Y = y;
        Z = z;
        T1 = t1;
        Multiplicity = multiplicity;
    }

    /// <summary>x [m].</summary>
    public ReadOnlySpan<double> X { get; }

    /// <summary>y [m].</summary>
    public ReadOnlySpan<double> Y { get; }

    /// <summary>z [m].</summary>
    public ReadOnlySpan<double> Z { get; }

    /// <summary>Earliest pulse time t1 [ns].</summary>
    public ReadOnlySpan<double> T1 { get; }

    /// <summary>Multiplicity N (MPE); ignored by SPE.</summary>
    public ReadOnlySpan<double> Multiplicity { get; }

    /// <summary>ln N, or empty when not precomputed.</summary>
    public ReadOnlySpan<double> LnMultiplicity { get; }

    /// <summary>Number of DOMs.</summary>
    public int Count => X.Length;
}

/// <summary>
/// Immutable structure-of-arrays copy of an event's hit DOMs, shareable between threads. The DOMs with N = 1 come
/// first, then those with N ≥ 2, each group in input order: the SIMD kernel then skips the survival function
/// (SF^(N−1) = 1) for whole vectors. <see cref="SourceIndex"/> maps back to the input order.
/// </summary>
internal sealed class HitDomArrays
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _z;
    private readonly double[] _t1;
    private readonly double[] _charge;
    private readonly double[] _multiplicity;
    private readonly int[] _sourceIndex;
    private readonly double[] _lnMultiplicity;

    private HitDomArrays(double[] x, double[] y, double[] z, double[] t1, double[] charge, double[] multiplicity, int[] sourceIndex)
    {
        _lnMultiplicity = multiplicity.Select(v => Math.Log(v)).ToArray();
        _sourceIndex = sourceIndex;
        _x = x;
        _y = y;
        _z = z;
        _t1 = t1;
        _charge = charge;
        _multiplicity = multiplicity;
    }

    /// <summary>Number of DOMs.</summary>
    public int Count => _x.Length;

    /// <summary>For each position, the index of the DOM in the list given to <see cref="FromHits"/>.</summary>
    public ReadOnlySpan<int> SourceIndex => _sourceIndex;

    /// <summary>Total charge Q per DOM [PE].</summary>
    public ReadOnlySpan<double> Charge => _charge;

    /// <summary>The DOMs as a kernel input.</summary>
    public DomBatch AsBatch() => new(_x, _y, _z, _t1, _multiplicity, _lnMultiplicity);

    /// <summary>Builds the arrays from hit-DOM summaries; N = max(1, floor(Q + 0.5)) (PHYSICS.md §3).</summary>
    public static HitDomArrays FromHits(IReadOnlyList<HitDom> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var n = hits.Count;
        double[] x = new double[n], y = new double[n], z = new double[n], t = new double[n], q = new double[n], m = new double[n];
        var order = Enumerable.Range(0, n).OrderBy(i => Multiplicity(hits[i].Charge) > 1.0 ? 1 : 0).ToArray();
        for (var i = 0; i < n; i++)
        {
            var h = hits[order[i]];
            x[i] = h.Position.X;
            y[i] = h.Position.Y;
            z[i] = h.Position.Z;
            t[i] = h.T1;
            q[i] = h.Charge;
            m[i] = Multiplicity(h.Charge);
        }

        return new HitDomArrays(x, y, z, t, q, m, order);
    }

    /// <summary>N = max(1, floor(Q + 0.5)).</summary>
    public static double Multiplicity(double charge) => Math.Max(1.0, Math.Floor(charge + 0.5));
}

/// <summary>A likelihood kernel: evaluates the event llh of PHYSICS.md §3 and the Poisson pieces of §4 over DOM batches.</summary>
internal interface ILikelihoodKernel
{
    /// <summary>What the kernel is, e.g. <c>scalar</c> or <c>simd-avx512 (8 lanes)</c>.</summary>
    string Name { get; }

    /// <summary>Scalar, SIMD, ILGPU or ILGPU-CPU (never <see cref="KernelKind.Auto"/>).</summary>
    KernelKind Kind { get; }

    /// <summary>Effectively computes llh = −Σ_i ln(L_i + ν) over the DOMs (PHYSICS.md §3).</summary>
    /// <remarks>NaN in an input propagates to the result; no DOM gives 0.</remarks>
    double PandelLlh(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms);

    /// <summary>Effectively computes destination[i] = −ln(L_i + ν).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the batch.</exception>
    void PandelTerms(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms, Span<double> destination);

    /// <summary>Effectively computes destination[h] = the llh of hypotheses[h] (the batched form of <see cref="PandelLlh(PandelVariant, in TrackHypothesis, DomBatch)"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="hypotheses"/>.</exception>
    void PandelLlh(PandelVariant variant, ReadOnlySpan<TrackHypothesis> hypotheses, DomBatch doms, Span<double> destination);

    /// <summary>
    /// Effectively computes llh = −Σ_j [k_j ln μ_j − μ_j − lnΓ(k_j + 1)] (PHYSICS.md §4). Expectations must be &gt; 0
    /// (μ = 0 with k = 0 gives NaN).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    double PoissonLlh(ReadOnlySpan<double> counts, ReadOnlySpan<double> expectations, ReadOnlySpan<double> lnGammaCountsPlusOne);
}
