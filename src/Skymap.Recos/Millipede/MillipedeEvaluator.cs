using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Internal;
using Skymap.Core.Physics;

namespace Skymap.Recos;

/// <summary>
/// Evaluates millipede's profiled llh (PHYSICS.md §4) for a track: clips it to the cube, places a cascade every
/// 5 m, prunes the DOMs beyond 300 m of the segment, builds the yields and profiles the energies with
/// <see cref="PoissonNnls"/> (coarse-to-fine cold start, or a warm start from the previous evaluation with the same
/// direction). One instance per worker (mutable scratch); the <see cref="MillipedeModel"/> is shared.
/// </summary>
internal sealed class MillipedeEvaluator
{
    private const int CoarseBlock = 4;
    private static readonly double Spacing = PhysicsConstants.CascadeSpacing;
    private static readonly double MaxR = PhysicsConstants.YieldMaxDistance;

    private readonly MillipedeModel _model;
    private readonly ILikelihoodKernel _kernel;
    private readonly int _lanes;
    private readonly PoissonNnls _fine = new();
    private readonly PoissonNnls _coarse = new();

    // Current track and sources.
    private Vector3D _d;
    private Vector3D _r0;
    private double _sIn;
    private int _m;
    private double[] _colAll = [];
    private double[] _colUnhit = [];
    private double[] _energy = [];

    // Hit DOMs in range: charge, ln Γ(k + 1), window (lo, len) into the sources, offset into _vals.
    private int _hits;
    private double[] _hk = [];
    private double[] _hlg = [];
    private double[] _hmu = [];
    private int[] _hlo = [];
    private int[] _hlen = [];
    private int[] _hoff = [];
    private double[] _vals = [];
    private double[] _scratch = [];

    // Coarse problem.
    private double[] _cCol = [];
    private int[] _cLo = [];
    private int[] _cLen = [];
    private int[] _cOff = [];
    private double[] _cVals = [];
    private double[] _cEnergy = [];

    // Warm start memory: the previous solution and where its grid started along d (ζ = r·d).
    private double[] _prevEnergy = [];
    private int _prevM;
    private double _prevZetaIn;
    private Vector3D _prevD;
    private bool _hasPrev;

    public MillipedeEvaluator(MillipedeModel model, ILikelihoodKernel kernel)
    {
        _model = model;
        _kernel = kernel;
        _lanes = kernel is SimdLikelihoodKernel simd ? simd.LaneCount : 1;
    }

    /// <summary>Number of sources of the last evaluation.</summary>
    public int SourceCount => _m;

    /// <summary>Number of hit DOMs within range in the last evaluation.</summary>
    public int HitsInRange => _hits;

    /// <summary>Solver iterations of the last evaluation (fine level).</summary>
    public int Iterations => _fine.Iterations;

    /// <summary>Gradient passes of the last evaluation (fine level).</summary>
    public int GradientPasses => _fine.GradientPasses;

    /// <summary>Active-set changes of the last evaluation (fine level).</summary>
    public int ActiveSetChanges => _fine.ActiveSetChanges;

    /// <summary>The profiled energies of the last evaluation [GeV].</summary>
    public ReadOnlySpan<double> Energies => _energy.AsSpan(0, _m);

    /// <summary>Position of source <paramref name="s"/> of the last evaluation.</summary>
    public Vector3D SourcePosition(int s) => _r0 + ((_sIn + (s * Spacing)) * _d);

    /// <summary>Forgets the warm-start memory (call at the start of each fit for reproducible fits).</summary>
    public void Reset() => _hasPrev = false;

    /// <summary>The profiled llh of the track through <paramref name="r0"/> along <paramref name="d"/>.</summary>
    public double Evaluate(Vector3D d, Vector3D r0, bool warmStart)
    {
        _d = d;
        _r0 = r0;
        if (!Clip(r0, d, out var sIn, out var sOut))
        {
            _m = 0;
            _hits = 0;
            _hasPrev = false;
            return _model.Constant;
        }

        _sIn = sIn;
        _m = (int)Math.Floor((sOut - sIn) / Spacing) + 1;
        Build();
        var e = _energy.AsSpan(0, _m);
        _fine.SetProblem(_m, _colAll, _hits, _hk, _hlo, _hlen, _hoff, _vals, PhysicsConstants.PoissonNoise);
        var zetaIn = sIn + r0.Dot(d);
        if (warmStart && _hasPrev && _prevD == d)
        {
            for (var s = 0; s < _m; s++)
            {
                var j = (int)Math.Round((zetaIn + (s * Spacing) - _prevZetaIn) / Spacing);
                e[s] = j >= 0 && j < _prevM ? _prevEnergy[j] : 0.0;
            }
        }
        else
        {
            ColdStart(e);
        }

        _fine.Solve(e, startSupportIsGuess: true);

        Grow(ref _prevEnergy, _m);
        e.CopyTo(_prevEnergy);
        _prevM = _m;
        _prevZetaIn = zetaIn;
        _prevD = d;
        _hasPrev = true;
        return Llh(e);
    }

    /// <summary>llh = Σ_hits-in-range Poisson terms (kernel) + constants of the other DOMs + Σ_s E_s·(yield on unhit DOMs).</summary>
    private double Llh(ReadOnlySpan<double> e)
    {
        var n = PhysicsConstants.PoissonNoise;
        var lnN = Math.Log(n);
        var rest = _model.Constant;
        for (var h = 0; h < _hits; h++)
        {
            _hmu[h] = n + System.Numerics.Tensors.TensorPrimitives.Dot(_vals.AsSpan(_hoff[h], _hlen[h]), e.Slice(_hlo[h], _hlen[h]));
            rest -= n - (_hk[h] * lnN) + _hlg[h];
        }

        var unhit = 0.0;
        for (var s = 0; s < _m; s++)
        {
            unhit += e[s] * _colUnhit[s];
        }

        return _kernel.PoissonLlh(_hk.AsSpan(0, _hits), _hmu.AsSpan(0, _hits), _hlg.AsSpan(0, _hits)) + rest + unhit;
    }

    private void ColdStart(Span<double> e)
    {
        // Coarse level: blocks of CoarseBlock sources sharing one energy each.
        var mc = ((_m - 1) / CoarseBlock) + 1;
        Grow(ref _cCol, mc);
        Array.Clear(_cCol, 0, mc);
        for (var s = 0; s < _m; s++)
        {
            _cCol[s / CoarseBlock] += _colAll[s];
        }

        Grow(ref _cLo, _hits);
        Grow(ref _cLen, _hits);
        Grow(ref _cOff, _hits);
        var total = 0;
        for (var h = 0; h < _hits; h++)
        {
            var clo = _hlo[h] / CoarseBlock;
            var chi = (_hlo[h] + _hlen[h] - 1) / CoarseBlock;
            _cLo[h] = clo;
            _cLen[h] = chi - clo + 1;
            _cOff[h] = total;
            total += _cLen[h];
        }

        Grow(ref _cVals, total);
        Array.Clear(_cVals, 0, total);
        for (var h = 0; h < _hits; h++)
        {
            var row = _vals.AsSpan(_hoff[h], _hlen[h]);
            for (var t = 0; t < row.Length; t++)
            {
                _cVals[_cOff[h] + ((_hlo[h] + t) / CoarseBlock) - _cLo[h]] += row[t];
            }
        }

        _coarse.SetProblem(mc, _cCol, _hits, _hk, _cLo, _cLen, _cOff, _cVals, PhysicsConstants.PoissonNoise);
        Grow(ref _cEnergy, mc);
        var ce = _cEnergy.AsSpan(0, mc);
        ce.Fill(_coarse.UniformStart());
        _coarse.Solve(ce, startSupportIsGuess: false);

        // Every source of a supported block starts with the block's energy: a superset of the fine support, from
        // which the active-set search mostly drops variables (cheap) rather than adds them (a gradient pass each).
        for (var s = 0; s < _m; s++)
        {
            e[s] = ce[s / CoarseBlock];
        }
    }

    /// <summary>Clips the line r0 + s·d to the cube |x|,|y|,|z| ≤ 600 m (slab method).</summary>
    internal static bool Clip(Vector3D r0, Vector3D d, out double sIn, out double sOut)
    {
        var h = PhysicsConstants.ClipHalfSize;
        sIn = double.NegativeInfinity;
        sOut = double.PositiveInfinity;
        Span<double> o = [r0.X, r0.Y, r0.Z];
        Span<double> v = [d.X, d.Y, d.Z];
        for (var a = 0; a < 3; a++)
        {
            if (v[a] == 0)
            {
                if (Math.Abs(o[a]) > h)
                {
                    return false;
                }

                continue;
            }

            var t1 = (-h - o[a]) / v[a];
            var t2 = (h - o[a]) / v[a];
            sIn = Math.Max(sIn, Math.Min(t1, t2));
            sOut = Math.Min(sOut, Math.Max(t1, t2));
        }

        return sIn <= sOut && double.IsFinite(sIn) && double.IsFinite(sOut);
    }

    /// <summary>Prunes the DOMs, builds the hit rows and the per-source yield sums.</summary>
    private void Build()
    {
        var m = _m;
        var pad = m + 8;
        Grow(ref _colAll, pad);
        Grow(ref _colUnhit, pad);
        Grow(ref _energy, pad);
        Array.Clear(_colAll, 0, pad);
        Array.Clear(_colUnhit, 0, pad);
        Grow(ref _scratch, pad + 8);

        var model = _model;
        double dX = _d.X, dY = _d.Y, dZ = _d.Z, rX = _r0.X, rY = _r0.Y, rZ = _r0.Z;
        var sIn = _sIn;
        var sOut = sIn + ((m - 1) * Spacing);
        var r2Max = MaxR * MaxR;
        _hits = 0;
        var used = 0;
        for (var j = 0; j < model.Count; j++)
        {
            double ex = model.X[j] - rX, ey = model.Y[j] - rY, ez = model.Z[j] - rZ;
            var sj = (ex * dX) + (ey * dY) + (ez * dZ);
            var rho2 = Math.Max((ex * ex) + (ey * ey) + (ez * ez) - (sj * sj), 0.0);
            var along = sj < sIn ? sIn - sj : sj > sOut ? sj - sOut : 0.0;
            if (rho2 + (along * along) > r2Max)
            {
                continue;
            }

            var w = Math.Sqrt(r2Max - rho2);
            var lo = Math.Max(0, (int)Math.Ceiling((sj - w - sIn) / Spacing) - 1);
            var hi = Math.Min(m - 1, (int)Math.Floor((sj + w - sIn) / Spacing) + 1);
            if (hi < lo)
            {
                continue;
            }

            var len = hi - lo + 1;
            var first = sIn + (lo * Spacing) - sj;
            var k = model.Charge[j];
            if (k > 0)
            {
                EnsureHitCapacity(_hits + 1, used + len + 8);
                var row = _vals.AsSpan(used, len + 8);
                var written = Fill(row, model.Amplitude[j], rho2, first, len);
                Add(_colAll.AsSpan(lo, written), row[..written]);
                _hk[_hits] = k;
                _hlg[_hits] = model.LnGammaChargePlusOne[j];
                _hlo[_hits] = lo;
                _hlen[_hits] = len;
                _hoff[_hits] = used;
                _hits++;
                used += len;
            }
            else
            {
                var row = _scratch.AsSpan(0, len + 8);
                var written = Fill(row, model.Amplitude[j], rho2, first, len);
                Add(_colUnhit.AsSpan(lo, written), row[..written]);
            }
        }

        for (var s = 0; s < m; s++)
        {
            _colAll[s] += _colUnhit[s];
        }
    }

    private void EnsureHitCapacity(int hits, int vals)
    {
        if (_hk.Length < hits)
        {
            var n = Math.Max(hits, _hk.Length * 2);
            Array.Resize(ref _hk, n);
            Array.Resize(ref _hlg, n);
            Array.Resize(ref _hmu, n);
            Array.Resize(ref _hlo, n);
            Array.Resize(ref _hlen, n);
            Array.Resize(ref _hoff, n);
        }

        if (_vals.Length < vals)
        {
            Array.Resize(ref _vals, Math.Max(vals, _vals.Length * 2));
        }
    }

    /// <summary>
    /// dest[t] = amp·e^{−(r+0.1)/λd}/(r+0.1), r = √(ρ² + (first + t·S)²), 0 for r &gt; 300 m; dest has ≥ len + 8 slots.
    /// Returns how many slots were written: len rounded up to whole vectors, the extra ones zero.
    /// </summary>
    private int Fill(Span<double> dest, double amp, double rho2, double first, int len)
    {
        switch (_lanes)
        {
            case 8:
                FillVector<V512>(dest, amp, rho2, first, len);
                return (len + 7) & ~7;
            case 4:
                FillVector<V256>(dest, amp, rho2, first, len);
                return (len + 3) & ~3;
            case 2:
                FillVector<V128>(dest, amp, rho2, first, len);
                return (len + 1) & ~1;
            default:
                FillScalar(dest, amp, rho2, first, len);
                return len;
        }
    }

    private static void FillScalar(Span<double> dest, double amp, double rho2, double first, int len)
    {
        var r2Max = MaxR * MaxR;
        for (var t = 0; t < len; t++)
        {
            var dz = first + (t * Spacing);
            var r2 = rho2 + (dz * dz);
            var rr = Math.Sqrt(r2) + PhysicsConstants.YieldDistanceOffset;
            dest[t] = r2 <= r2Max ? amp * Math.Exp(-rr / PhysicsConstants.YieldLambda) / rr : 0.0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillVector<T>(Span<double> dest, double amp, double rho2, double first, int len)
        where T : struct, IVec<T>
    {
        var w = T.Count;
        var zero = T.Create(0.0);
        var spacing = T.Create(Spacing);
        var vRho2 = T.Create(rho2);
        var vAmp = T.Create(amp);
        var r2Max = T.Create(MaxR * MaxR);
        var offset = T.Create(PhysicsConstants.YieldDistanceOffset);
        var negInvLambda = T.Create(-1.0 / PhysicsConstants.YieldLambda);
        var vLen = T.Create(len);
        var idx = T.Indices;
        var step = T.Create(w);
        ref var dst = ref MemoryMarshal.GetReference(dest);
        for (var t = 0; t < len; t += w)
        {
            var dz = T.Fma(idx, spacing, T.Create(first));
            var r2 = T.Fma(dz, dz, vRho2);
            var rr = T.Sqrt(r2) + offset;
            var v = vAmp * SimdMath.Exp(rr * negInvLambda) / rr;
            var keep = T.LessThanOrEqual(r2, r2Max) & T.LessThan(idx, vLen);
            T.Store(T.Select(keep, v, zero), ref Unsafe.Add(ref dst, t));
            idx += step;
        }
    }

    /// <summary>dest += src over full vectors (both padded).</summary>
    private static void Add(Span<double> dest, ReadOnlySpan<double> src)
    {
        System.Numerics.Tensors.TensorPrimitives.Add(dest, src, dest);
    }

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            array = new T[Math.Max(size, array.Length * 2)];
        }
    }
}
