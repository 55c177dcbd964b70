using System.Numerics.Tensors;

namespace Skymap.Recos;

/// <summary>
/// Profiles the cascade energies of PHYSICS.md §4: minimises
/// F(E) = Σ_s c_s E_s − Σ_h k_h ln(μ_h / n), μ_h = n + Σ_s B_hs E_s, over E ≥ 0, where c_s is the total yield of
/// source s over every DOM in range and h runs over the hit DOMs in range (unhit DOMs enter only through c_s).
/// Each hit's row of B is a contiguous window of sources. The llh is C0 + F(E).
/// </summary>
/// <remarks>
/// Projected Newton with an ε-active set (Bertsekas 1982): variables at (or within ε of) zero whose gradient is
/// positive are held at zero; Newton's step on the others uses a dense Cholesky factorisation of their Hessian
/// block (the optimum is sparse, so the block is small); Armijo backtracking along the projection arc. Stops when
/// the Newton decrement is below 1e-9 (the llh then lies within ~1e-9 of the optimum). Not thread-safe; reuses
/// its scratch arrays.
/// </remarks>
internal sealed class PoissonNnls
{
    private const int MaxIterations = 200;
    private const double Eps0 = 1e-2;
    private const double TolDecrement = 1e-9;
    private const double ArmijoSigma = 1e-4;
    private const double Ridge = 1e-10;

    // Problem (borrowed arrays).
    private int _m;
    private int _hits;
    private double[] _col = [];
    private double[] _k = [];
    private int[] _lo = [];
    private int[] _len = [];
    private int[] _off = [];
    private double[] _vals = [];
    private double _noise;

    // Scratch.
    private bool[] _relevant = [];
    private double[] _valsSq = [];
    private double[] _mu = [];
    private double[] _muTrial = [];
    private double[] _g = [];
    private double[] _hd = [];
    private double[] _p = [];
    private double[] _eTrial = [];
    private int[] _pos = [];
    private int[] _free = [];
    private double[] _h = [];
    private double[] _diag = [];
    private double[] _gatherV = [];
    private double[] _rhs = [];

    /// <summary>Iterations of the last <see cref="Solve"/>.</summary>
    public int Iterations { get; private set; }

    /// <summary>Points the solver at a problem. Arrays are borrowed, not copied, and must stay unchanged during Solve.</summary>
    public void SetProblem(int sources, double[] col, int hits, double[] k, int[] lo, int[] len, int[] off, double[] vals, double noise)
    {
        _m = sources;
        _col = col;
        _hits = hits;
        _k = k;
        _lo = lo;
        _len = len;
        _off = off;
        _vals = vals;
        _noise = noise;
        Grow(ref _relevant, sources);
        Array.Clear(_relevant, 0, sources);
        var nnz = hits == 0 ? 0 : off[hits - 1] + len[hits - 1];
        Grow(ref _valsSq, nnz);
        TensorPrimitives.Multiply(vals.AsSpan(0, nnz), vals.AsSpan(0, nnz), _valsSq.AsSpan(0, nnz));
        var maxLen = 0;
        for (var h = 0; h < hits; h++)
        {
            maxLen = Math.Max(maxLen, len[h]);
            var row = vals.AsSpan(off[h], len[h]);
            for (var t = 0; t < row.Length; t++)
            {
                if (row[t] > 0)
                {
                    _relevant[lo[h] + t] = true;
                }
            }
        }

        Grow(ref _mu, hits);
        Grow(ref _muTrial, hits);
        Grow(ref _g, sources);
        Grow(ref _hd, sources);
        Grow(ref _p, sources);
        Grow(ref _eTrial, sources);
        Grow(ref _pos, sources);
        Grow(ref _free, sources);
        Grow(ref _diag, sources);
        Grow(ref _rhs, sources);
        Grow(ref _gatherV, maxLen);
    }

    /// <summary>True when some hit DOM sees source <paramref name="s"/>.</summary>
    public bool IsRelevant(int s) => _relevant[s];

    /// <summary>A uniform starting energy: total hit charge over total yield.</summary>
    public double UniformStart()
    {
        double q = 0, c = 0;
        for (var h = 0; h < _hits; h++)
        {
            q += _k[h];
        }

        for (var s = 0; s < _m; s++)
        {
            if (_relevant[s])
            {
                c += _col[s];
            }
        }

        return c > 0 ? q / c : 0.0;
    }

    /// <summary>F(E) at E.</summary>
    public double Objective(ReadOnlySpan<double> e) => Evaluate(e, _mu);

    /// <summary>Minimises F from the start in <paramref name="e"/> (made feasible); leaves the solution there; returns F.</summary>
    public double Solve(Span<double> e)
    {
        var m = _m;
        for (var s = 0; s < m; s++)
        {
            e[s] = _relevant[s] ? Math.Max(e[s], 0.0) : 0.0;
        }

        var f = Evaluate(e, _mu);
        Iterations = 0;
        for (var it = 0; it < MaxIterations; it++)
        {
            Iterations = it + 1;
            Gradient(_mu);

            // ε_k = min(ε, ‖E − P(E − D·g)‖) with the diagonal scaling D = 1/H_ss.
            var w2 = 0.0;
            for (var s = 0; s < m; s++)
            {
                if (_relevant[s])
                {
                    var step = e[s] - Math.Max(0.0, e[s] - (_g[s] / _hd[s]));
                    w2 += step * step;
                }
            }

            var epsK = Math.Min(Eps0, Math.Sqrt(w2));
            var nFree = 0;
            var bindingPositive = false;
            for (var s = 0; s < m; s++)
            {
                _p[s] = 0.0;
                if (!_relevant[s])
                {
                    _pos[s] = -1;
                }
                else if (e[s] <= epsK && _g[s] > 0)
                {
                    _pos[s] = -1;
                    _p[s] = -_g[s] / _hd[s];
                    bindingPositive |= e[s] > 0;
                }
                else
                {
                    _pos[s] = nFree;
                    _free[nFree++] = s;
                }
            }

            var decrement = nFree > 0 ? NewtonStep(nFree) : 0.0;
            if (decrement < 0 || double.IsNaN(decrement))
            {
                // Rounding made the Newton direction useless: fall back to a diagonally scaled gradient step.
                decrement = 0.0;
                for (var i = 0; i < nFree; i++)
                {
                    var fs = _free[i];
                    _p[fs] = -_g[fs] / _hd[fs];
                    decrement += _g[fs] * _g[fs] / _hd[fs];
                }
            }

            if (decrement < TolDecrement && !bindingPositive)
            {
                break;
            }

            // Armijo along the projection arc.
            var alpha = 1.0;
            var accepted = false;
            double fTrial = 0;
            for (var ls = 0; ls < 40; ls++)
            {
                var bindingGain = 0.0;
                for (var s = 0; s < m; s++)
                {
                    var v = Math.Max(0.0, e[s] + (alpha * _p[s]));
                    _eTrial[s] = v;
                    if (_pos[s] < 0 && _relevant[s])
                    {
                        bindingGain += _g[s] * (e[s] - v);
                    }
                }

                fTrial = Evaluate(_eTrial, _muTrial);
                if (f - fTrial >= ArmijoSigma * ((alpha * decrement) + bindingGain))
                {
                    accepted = true;
                    break;
                }

                alpha *= 0.5;
            }

            if (!accepted)
            {
                break;
            }

            var gain = f - fTrial;
            _eTrial.AsSpan(0, m).CopyTo(e);
            (_mu, _muTrial) = (_muTrial, _mu);
            f = fTrial;
            if (gain < 1e-12 * (1.0 + Math.Abs(f)) && decrement < 1e-6)
            {
                break;
            }
        }

        return f;
    }

    private double Evaluate(ReadOnlySpan<double> e, double[] mu)
    {
        var f = 0.0;
        for (var s = 0; s < _m; s++)
        {
            f += _col[s] * e[s];
        }

        var lnN = Math.Log(_noise);
        for (var h = 0; h < _hits; h++)
        {
            var m = _noise + TensorPrimitives.Dot(_vals.AsSpan(_off[h], _len[h]), e.Slice(_lo[h], _len[h]));
            mu[h] = m;
            f -= _k[h] * (Math.Log(m) - lnN);
        }

        return f;
    }

    private void Gradient(double[] mu)
    {
        _col.AsSpan(0, _m).CopyTo(_g);
        Array.Clear(_hd, 0, _m);
        for (var h = 0; h < _hits; h++)
        {
            var r = _k[h] / mu[h];
            var lo = _lo[h];
            var len = _len[h];
            var g = _g.AsSpan(lo, len);
            TensorPrimitives.MultiplyAdd(_vals.AsSpan(_off[h], len), -r, g, g);
            var hd = _hd.AsSpan(lo, len);
            TensorPrimitives.MultiplyAdd(_valsSq.AsSpan(_off[h], len), r / mu[h], hd, hd);
        }

        // A relevant source always has a hit with B > 0, so H_ss > 0; guard anyway.
        for (var s = 0; s < _m; s++)
        {
            if (_hd[s] <= 0)
            {
                _hd[s] = 1e-300;
            }
        }
    }

    /// <summary>p_F = −H_FF⁻¹ g_F into _p; returns the Newton decrement −g_F·p_F.</summary>
    private double NewtonStep(int n)
    {
        Grow(ref _h, n * n);
        var hm = _h.AsSpan(0, n * n);
        hm.Clear();
        for (var h = 0; h < _hits; h++)
        {
            var lo = _lo[h];
            var len = _len[h];
            var row = _vals.AsSpan(_off[h], len);
            var cnt = 0;
            var first = -1;
            for (var t = 0; t < len; t++)
            {
                var pos = _pos[lo + t];
                if (pos >= 0)
                {
                    if (first < 0)
                    {
                        first = pos;
                    }

                    _gatherV[cnt++] = row[t];
                }
            }

            if (cnt == 0)
            {
                continue;
            }

            var w = _k[h] / (_mu[h] * _mu[h]);
            var gv = _gatherV.AsSpan(0, cnt);
            for (var a = 0; a < cnt; a++)
            {
                var wa = w * gv[a];
                if (wa == 0)
                {
                    continue;
                }

                var pa = first + a;
                var dst = hm.Slice((pa * n) + pa, cnt - a);
                TensorPrimitives.MultiplyAdd(gv[a..], wa, dst, dst);
            }
        }

        for (var i = 0; i < n; i++)
        {
            var d = hm[(i * n) + i];
            _diag[i] = d;
            hm[(i * n) + i] = d + (Ridge * d) + 1e-300;
        }

        // Right-looking upper Cholesky H = UᵀU in place (upper triangle).
        for (var k = 0; k < n; k++)
        {
            var akk = hm[(k * n) + k];
            if (!(akk > 1e-10 * _diag[k]))
            {
                // Numerically dependent on earlier columns: decouple it (a scaled-gradient step in that direction).
                akk = _diag[k] > 0 ? _diag[k] : 1.0;
                hm.Slice((k * n) + k + 1, n - k - 1).Clear();
            }

            var ukk = Math.Sqrt(akk);
            hm[(k * n) + k] = ukk;
            var rowK = hm.Slice((k * n) + k + 1, n - k - 1);
            TensorPrimitives.Divide(rowK, ukk, rowK);
            for (var i = k + 1; i < n; i++)
            {
                var uki = hm[(k * n) + i];
                if (uki != 0)
                {
                    var dst = hm.Slice((i * n) + i, n - i);
                    TensorPrimitives.MultiplyAdd(hm.Slice((k * n) + i, n - i), -uki, dst, dst);
                }
            }
        }

        // Uᵀ y = −g_F (row-oriented forward substitution), then U p = y.
        var y = _rhs.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            y[i] = -_g[_free[i]];
        }

        for (var k = 0; k < n; k++)
        {
            y[k] /= hm[(k * n) + k];
            var yk = y[k];
            if (yk != 0 && k + 1 < n)
            {
                var dst = y[(k + 1)..];
                TensorPrimitives.MultiplyAdd(hm.Slice((k * n) + k + 1, n - k - 1), -yk, dst, dst);
            }
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            if (i + 1 < n)
            {
                sum -= TensorPrimitives.Dot(hm.Slice((i * n) + i + 1, n - i - 1), y[(i + 1)..]);
            }

            y[i] = sum / hm[(i * n) + i];
        }

        var decrement = 0.0;
        for (var i = 0; i < n; i++)
        {
            var s = _free[i];
            _p[s] = y[i];
            decrement -= _g[s] * y[i];
        }

        return decrement;
    }

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            array = new T[Math.Max(size, array.Length * 2)];
        }
    }
}
