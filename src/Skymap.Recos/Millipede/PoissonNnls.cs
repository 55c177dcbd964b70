using System.Numerics.Tensors;

namespace Skymap.Recos;

/// <summary>
/// Profiles the cascade energies of PHYSICS.md §4: minimises
/// F(E) = Σ_s c_s E_s − Σ_h k_h ln(μ_h / n), μ_h = n + Σ_s B_hs E_s, over E ≥ 0, where c_s is the total yield of
/// source s over every DOM in range and h runs over the hit DOMs in range (unhit DOMs enter only through c_s).
/// Each hit's row of B is a contiguous window of sources. The llh is C0 + F(E).
/// </summary>
/// <remarks>
/// Sequential quadratic programming: each Newton iteration minimises the exact quadratic model
/// gᵀp + ½pᵀHp (H = Bᵀ diag(k/μ²) B) over E + p ≥ 0 with the Lawson–Hanson active-set method in the form of Bro &amp;
/// de Jong's fast NNLS — H is never formed: H·y costs two passes over B, and only the block of the passive set is
/// factorised (Cholesky, grown one column at a time) — then backtracks along p (Armijo) on F itself. The optimum is
/// sparse, so passive sets are small; each Newton iteration starts the active-set search from the previous solution's
/// support. Stops when the model's predicted decrease is below 1e-6 (the llh is then within ~1e-6 of its optimum). Not thread-safe; reuses its scratch arrays.
/// </remarks>
internal sealed class PoissonNnls
{
    private const int MaxNewton = 60;
    private const double TolPredicted = 1e-6;
    private const double ArmijoSigma = 1e-4;

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

    // Column index (CSC) of B: for source s, entries _cscStart[s].._cscStart[s+1] of (_cscHit, _cscVal).
    private int[] _cscStart = [];
    private int[] _cscHit = [];
    private double[] _cscVal = [];

    // Scratch.
    private bool[] _relevant = [];
    private double[] _mu = [];
    private double[] _muTrial = [];
    private double[] _w = [];
    private double[] _u = [];
    private double[] _g = [];
    private double[] _hd = [];
    private double[] _b = [];
    private double[] _y = [];
    private double[] _s = [];
    private double[] _grad = [];
    private double[] _eTrial = [];
    private double[] _p = [];
    private double[] _yPrev = [];
    private int[] _passive = [];
    private int[] _posInPassive = [];
    private double[] _chol = [];
    private double[] _hpp = [];
    private double[] _gather = [];
    private int[] _gatherPos = [];
    private int[] _keptOld = [];
    private double[] _colScratch = [];
    private double[] _update = [];
    private double[] _rhs = [];
    private bool[] _rejected = [];
    private int _nPassive;

    /// <summary>Newton iterations of the last <see cref="Solve"/>.</summary>
    public int Iterations { get; private set; }

    /// <summary>Gradient passes (variable additions tried) of the last <see cref="Solve"/>.</summary>
    public int GradientPasses { get; private set; }

    /// <summary>Active-set changes of the last <see cref="Solve"/>.</summary>
    public int ActiveSetChanges { get; private set; }

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
        Grow(ref _cscStart, sources + 1);
        Array.Clear(_cscStart, 0, sources + 1);
        var nnz = 0;
        for (var h = 0; h < hits; h++)
        {
            var row = vals.AsSpan(off[h], len[h]);
            for (var t = 0; t < row.Length; t++)
            {
                if (row[t] > 0)
                {
                    _cscStart[lo[h] + t + 1]++;
                    nnz++;
                }
            }
        }

        for (var s = 0; s < sources; s++)
        {
            _relevant[s] = _cscStart[s + 1] > 0;
            _cscStart[s + 1] += _cscStart[s];
        }

        Grow(ref _cscHit, nnz);
        Grow(ref _cscVal, nnz);
        Grow(ref _posInPassive, sources);
        _posInPassive.AsSpan(0, sources).Fill(-1);
        Span<int> fill = sources <= 1024 ? stackalloc int[sources] : new int[sources];
        _cscStart.AsSpan(0, sources).CopyTo(fill);
        for (var h = 0; h < hits; h++)
        {
            var row = vals.AsSpan(off[h], len[h]);
            for (var t = 0; t < row.Length; t++)
            {
                if (row[t] > 0)
                {
                    var at = fill[lo[h] + t]++;
                    _cscHit[at] = h;
                    _cscVal[at] = row[t];
                }
            }
        }

        Grow(ref _mu, hits);
        Grow(ref _muTrial, hits);
        Grow(ref _w, hits);
        Grow(ref _u, hits);
        Grow(ref _g, sources);
        Grow(ref _hd, sources);
        Grow(ref _b, sources);
        Grow(ref _y, sources);
        Grow(ref _s, sources);
        Grow(ref _grad, sources);
        Grow(ref _eTrial, sources);
        Grow(ref _p, sources);
        Grow(ref _yPrev, sources);
        Grow(ref _passive, sources);
        Grow(ref _rhs, sources);
        Grow(ref _rejected, sources);
        var maxLen = 0;
        for (var h = 0; h < hits; h++)
        {
            maxLen = Math.Max(maxLen, len[h]);
        }

        Grow(ref _colScratch, sources);
        Grow(ref _gather, maxLen);
        Grow(ref _gatherPos, maxLen);
    }

    /// <summary>A uniform starting energy: total hit charge over total yield of the relevant sources.</summary>
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

    /// <summary>
    /// Minimises F from the start in <paramref name="e"/> (made feasible); leaves the solution there; returns F.
    /// <paramref name="startSupportIsGuess"/>: the first active-set search starts from the support of the start (true)
    /// or from the empty set (false, for a dense start such as a uniform one).
    /// </summary>
    public double Solve(Span<double> e, bool startSupportIsGuess)
    {
        var m = _m;
        for (var s = 0; s < m; s++)
        {
            e[s] = _relevant[s] ? Math.Max(e[s], 0.0) : 0.0;
        }

        var f = Evaluate(e, _mu);
        Iterations = 0;
        ActiveSetChanges = 0;
        GradientPasses = 0;
        var seedFromStart = startSupportIsGuess;
        var ySupportValid = false;
        for (var it = 0; it < MaxNewton; it++)
        {
            Iterations = it + 1;

            // Model at E: g = c − Bᵀ(k/μ), W = k/μ², b = H·E − g = Bᵀ(W(μ − n) + k/μ) − c.
            for (var h = 0; h < _hits; h++)
            {
                var r = _k[h] / _mu[h];
                _w[h] = r / _mu[h];
                _u[h] = (_w[h] * (_mu[h] - _noise)) + r;
            }

            MultiplyTransposed(_u, _b);
            MultiplyTransposed(_k, _mu, _g);
            for (var s = 0; s < m; s++)
            {
                _b[s] -= _col[s];
                _g[s] = _col[s] - _g[s];
            }

            Diagonal();

            var (gp, predicted) = SolveModelFrom(e, ySupportValid || seedFromStart, ySupportValid);
            if (predicted < -TolPredicted)
            {
                // The model's minimum over y ≥ 0 is never above its value at E, so the active-set search from the
                // guessed support ended short of it (a variable rejected as numerically dependent can cut it off, as on
                // builtin:track-10tev at its true track: 1.47 above the optimum). Search again from the empty set.
                (gp, predicted) = SolveModelFrom(e, false, false);
            }

            ySupportValid = true;
            seedFromStart = false;
            if (predicted < TolPredicted || gp >= 0)
            {
                break;
            }

            var alpha = 1.0;
            var accepted = false;
            double fTrial = 0;
            for (var ls = 0; ls < 50; ls++)
            {
                for (var s = 0; s < m; s++)
                {
                    _eTrial[s] = alpha == 1.0 ? _y[s] : Math.Max(0.0, e[s] + (alpha * _p[s]));
                }

                fTrial = Evaluate(_eTrial, _muTrial);
                if (fTrial <= f + (ArmijoSigma * alpha * gp))
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
            if (alpha == 1.0 && gain < 1e-10)
            {
                break;
            }
        }

        return f;
    }

    /// <summary>
    /// Solves the Newton model from an initial passive set — the previous model solution's support
    /// (<paramref name="previousSupport"/>), the start's support (<paramref name="guessSupport"/>) or empty — and returns
    /// gᵀp and the predicted decrease −(gᵀp + ½pᵀHp) of the step p = y − E (left in _p).
    /// </summary>
    private (double Gp, double Predicted) SolveModelFrom(ReadOnlySpan<double> e, bool guessSupport, bool previousSupport)
    {
        var m = _m;
        _y.AsSpan(0, m).Clear();
        if (guessSupport)
        {
            for (var s = 0; s < m; s++)
            {
                _y[s] = _relevant[s] && e[s] > 0 && (!previousSupport || _yPrev[s] > 0) ? e[s] : 0.0;
            }
        }

        SolveModel();
        _y.AsSpan(0, m).CopyTo(_yPrev);
        var gp = 0.0;
        for (var s = 0; s < m; s++)
        {
            _p[s] = _y[s] - e[s];
            gp += _g[s] * _p[s];
        }

        return (gp, -(gp + (0.5 * QuadraticForm(_p))));
    }

    /// <summary>F(E) into <paramref name="mu"/> and the return value.</summary>
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

    /// <summary>out = Bᵀ v.</summary>
    private void MultiplyTransposed(double[] v, double[] result)
    {
        result.AsSpan(0, _m).Clear();
        for (var h = 0; h < _hits; h++)
        {
            var dst = result.AsSpan(_lo[h], _len[h]);
            TensorPrimitives.MultiplyAdd(_vals.AsSpan(_off[h], _len[h]), v[h], dst, dst);
        }
    }

    /// <summary>out = Bᵀ (a / b).</summary>
    private void MultiplyTransposed(double[] a, double[] b, double[] result)
    {
        result.AsSpan(0, _m).Clear();
        for (var h = 0; h < _hits; h++)
        {
            var dst = result.AsSpan(_lo[h], _len[h]);
            TensorPrimitives.MultiplyAdd(_vals.AsSpan(_off[h], _len[h]), a[h] / b[h], dst, dst);
        }
    }

    /// <summary>H_ss = Σ_h w_h B_hs² into _hd.</summary>
    private void Diagonal()
    {
        for (var s = 0; s < _m; s++)
        {
            var d = 0.0;
            for (var q = _cscStart[s]; q < _cscStart[s + 1]; q++)
            {
                var v = _cscVal[q];
                d += _w[_cscHit[q]] * v * v;
            }

            _hd[s] = d;
        }
    }

    /// <summary>xᵀHx = Σ_h w_h (Bx)_h².</summary>
    private double QuadraticForm(double[] x)
    {
        var sum = 0.0;
        for (var h = 0; h < _hits; h++)
        {
            var bx = TensorPrimitives.Dot(_vals.AsSpan(_off[h], _len[h]), x.AsSpan(_lo[h], _len[h]));
            sum += _w[h] * bx * bx;
        }

        return sum;
    }

    /// <summary>grad = H y − b (the model's gradient at y).</summary>
    private void ModelGradient(double[] y)
    {
        for (var h = 0; h < _hits; h++)
        {
            _u[h] = _w[h] * TensorPrimitives.Dot(_vals.AsSpan(_off[h], _len[h]), y.AsSpan(_lo[h], _len[h]));
        }

        MultiplyTransposed(_u, _grad);
        for (var s = 0; s < _m; s++)
        {
            _grad[s] -= _b[s];
        }
    }

    /// <summary>
    /// Fast NNLS on the model: min ½yᵀHy − bᵀy over y ≥ 0, starting from the y in _y (its support is the initial
    /// passive set; y must be positive there). Leaves the solution in _y.
    /// </summary>
    private void SolveModel()
    {
        var m = _m;
        _rejected.AsSpan(0, m).Clear();
        for (var i = 0; i < _nPassive; i++)
        {
            _posInPassive[_passive[i]] = -1;
        }

        _nPassive = 0;
        for (var s = 0; s < m; s++)
        {
            if (_y[s] > 0)
            {
                _posInPassive[s] = _nPassive;
                _passive[_nPassive++] = s;
            }
        }

        if (_nPassive > 0)
        {
            BuildPassiveHessian();
            Refactor();

            for (var i = 0; i < _nPassive; i++)
            {
                var j = _passive[i];
                _y[j] = Math.Max(_y[j], 1e-300);
            }

            SolvePassiveAndInterpolate();
        }

        // Lawson–Hanson: free the active variable with the largest model gain (∂q)²/(2H_ss) while one exceeds 1e-12.
        var maxOuter = 3 * m + 10;
        for (var outer = 0; outer < maxOuter; outer++)
        {
            GradientPasses++;
            ModelGradient(_y);
            var best = -1;
            var bestGain = 1e-12;
            for (var s = 0; s < m; s++)
            {
                if (_relevant[s] && _posInPassive[s] < 0 && !_rejected[s] && _grad[s] < 0)
                {
                    var gain = _grad[s] * _grad[s] / (2.0 * _hd[s]);
                    if (gain > bestGain)
                    {
                        bestGain = gain;
                        best = s;
                    }
                }
            }

            if (best < 0)
            {
                return;
            }

            if (!Append(best))
            {
                _rejected[best] = true;
                continue;
            }

            ActiveSetChanges++;
            SolvePassiveAndInterpolate();
        }
    }

    /// <summary>The inner loop of Lawson–Hanson: solve on the passive set, step back to feasibility while needed.</summary>
    private void SolvePassiveAndInterpolate()
    {
        for (var inner = 0; inner < 4 * _m + 10; inner++)
        {
            SolvePassive(_s);
            var alpha = double.PositiveInfinity;
            for (var i = 0; i < _nPassive; i++)
            {
                var j = _passive[i];
                if (_s[j] <= 0)
                {
                    alpha = Math.Min(alpha, _y[j] / (_y[j] - _s[j]));
                }
            }

            if (double.IsPositiveInfinity(alpha))
            {
                for (var i = 0; i < _nPassive; i++)
                {
                    var j = _passive[i];
                    _y[j] = _s[j];
                }

                return;
            }

            // Move towards s until the first passive variable reaches zero; drop every variable at zero.
            var kept = 0;
            Grow(ref _keptOld, _nPassive);
            var keptOld = _keptOld.AsSpan(0, _nPassive);
            for (var i = 0; i < _nPassive; i++)
            {
                var j = _passive[i];
                var v = _y[j] + (alpha * (_s[j] - _y[j]));
                if (v <= 1e-300 || (_s[j] <= 0 && _y[j] / (_y[j] - _s[j]) <= alpha))
                {
                    _y[j] = 0.0;
                    _posInPassive[j] = -1;
                    ActiveSetChanges++;
                }
                else
                {
                    _y[j] = v;
                    _passive[kept] = j;
                    _posInPassive[j] = kept;
                    keptOld[kept] = i;
                    kept++;
                }
            }

            // Downdate the factor for each dropped position (highest first), then compact H_PP the same way.
            var oldCount = _nPassive;
            var next = kept - 1;
            for (var i = oldCount - 1; i >= 0; i--)
            {
                if (next >= 0 && keptOld[next] == i)
                {
                    next--;
                    continue;
                }

                RemoveFromFactor(i, oldCount--);
            }

            CompactPassiveHessian(keptOld[..kept]);
            _nPassive = kept;
        }
    }

    /// <summary>Solves H_PP s_P = b_P with the current factor; s is written at the passive indices.</summary>
    private void SolvePassive(double[] result)
    {
        var n = _nPassive;
        var y = _rhs.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            y[i] = _b[_passive[i]];
        }

        // L y' = b (L lower, row-major n×n, stride = capacity), then Lᵀ s = y'.
        var stride = Stride;
        for (var i = 0; i < n; i++)
        {
            var sum = y[i] - TensorPrimitives.Dot(_chol.AsSpan(i * stride, i), y[..i]);
            y[i] = sum / _chol[(i * stride) + i];
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= _chol[(k * stride) + i] * y[k];
            }

            y[i] = sum / _chol[(i * stride) + i];
        }

        for (var i = 0; i < n; i++)
        {
            result[_passive[i]] = y[i];
        }
    }

    private int Stride => _m;

    /// <summary>Column j of H restricted to the passive set (and H_jj) into <paramref name="column"/>: Bᵀ(w ⊙ B_:j), vectorised over rows.</summary>
    private double HessianColumn(int j, Span<double> column)
    {
        var full = _colScratch.AsSpan(0, _m);
        full.Clear();
        var hjj = 0.0;
        for (var q = _cscStart[j]; q < _cscStart[j + 1]; q++)
        {
            var h = _cscHit[q];
            var wv = _w[h] * _cscVal[q];
            hjj += wv * _cscVal[q];
            var dst = full.Slice(_lo[h], _len[h]);
            TensorPrimitives.MultiplyAdd(_vals.AsSpan(_off[h], _len[h]), wv, dst, dst);
        }

        for (var i = 0; i < column.Length; i++)
        {
            column[i] = full[_passive[i]];
        }

        return hjj;
    }

    /// <summary>Adds source j to the passive set: its Hessian column into H_PP, then one more Cholesky row; false when numerically dependent.</summary>
    private bool Append(int j)
    {
        var n = _nPassive;
        var stride = Stride;
        Grow(ref _hpp, stride * stride);
        var column = _hpp.AsSpan(n * stride, n);
        var hjj = HessianColumn(j, column);
        for (var i = 0; i < n; i++)
        {
            _hpp[(i * stride) + n] = column[i];
        }

        _hpp[(n * stride) + n] = hjj;
        if (!ExtendFactor(n))
        {
            return false;
        }

        _passive[n] = j;
        _posInPassive[j] = n;
        _nPassive = n + 1;
        return true;
    }

    /// <summary>Cholesky row n from H_PP row n (rows 0..n−1 factored already); false when the pivot vanishes.</summary>
    private bool ExtendFactor(int n)
    {
        var stride = Stride;
        Grow(ref _chol, stride * stride);
        var row = _chol.AsSpan(n * stride, n);
        _hpp.AsSpan(n * stride, n).CopyTo(row);
        for (var i = 0; i < n; i++)
        {
            var sum = row[i] - TensorPrimitives.Dot(_chol.AsSpan(i * stride, i), row[..i]);
            row[i] = sum / _chol[(i * stride) + i];
        }

        var hjj = _hpp[(n * stride) + n];
        var d2 = hjj - TensorPrimitives.Dot(row, row);
        if (!(d2 > 1e-11 * hjj))
        {
            return false;
        }

        _chol[(n * stride) + n] = Math.Sqrt(d2);
        return true;
    }

    /// <summary>
    /// Factorises H_PP from scratch. A variable whose pivot vanishes (dependent on the earlier ones) leaves the
    /// passive set and is rejected for the rest of this model solve.
    /// </summary>
    private void Refactor()
    {
        var stride = Stride;
        var n = 0;
        Span<int> keep = _nPassive <= 512 ? stackalloc int[_nPassive] : new int[_nPassive];
        var dropped = false;
        for (var i = 0; i < _nPassive; i++)
        {
            if (i != n)
            {
                // Move row/column i of H_PP to position n (entries with earlier kept indices only are needed).
                for (var k = 0; k < n; k++)
                {
                    _hpp[(n * stride) + k] = _hpp[(i * stride) + keep[k]];
                }

                _hpp[(n * stride) + n] = _hpp[(i * stride) + i];
            }

            if (ExtendFactor(n))
            {
                keep[n++] = i;
            }
            else
            {
                var j = _passive[i];
                _y[j] = 0.0;
                _rejected[j] = true;
                _posInPassive[j] = -1;
                dropped = true;
            }
        }

        if (dropped)
        {
            for (var q = 0; q < n; q++)
            {
                _passive[q] = _passive[keep[q]];
                _posInPassive[_passive[q]] = q;
            }

            // Rebuild the full symmetric H_PP in the new order from the lower triangle written above.
            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < r; c++)
                {
                    _hpp[(c * stride) + r] = _hpp[(r * stride) + c];
                }
            }

            _nPassive = n;
        }
    }

    /// <summary>
    /// Deletes position k from the n×n lower Cholesky factor L of H_PP in O((n − k)²): drop row and column k, then
    /// fold the dropped column's entries below k back into the trailing block with a rank-one update.
    /// </summary>
    private void RemoveFromFactor(int k, int n)
    {
        var stride = Stride;
        Grow(ref _update, n);
        var v = _update.AsSpan(0, n);
        var len = n - 1 - k;
        for (var i = 0; i < len; i++)
        {
            v[i] = _chol[((k + 1 + i) * stride) + k];
        }

        // Shift rows k+1..n−1 up by one and their columns > k left by one.
        for (var r = k; r < n - 1; r++)
        {
            var src = (r + 1) * stride;
            var dst = r * stride;
            _chol.AsSpan(src, k).CopyTo(_chol.AsSpan(dst, k));
            _chol.AsSpan(src + k + 1, r - k + 1).CopyTo(_chol.AsSpan(dst + k, r - k + 1));
        }

        // Rank-one update of the trailing block (rows/columns k..n−2) with v.
        for (var j = 0; j < len; j++)
        {
            var djj = (k + j) * stride;
            var ljj = _chol[djj + k + j];
            var r = Math.Sqrt((ljj * ljj) + (v[j] * v[j]));
            var c = r / ljj;
            var sn = v[j] / ljj;
            _chol[djj + k + j] = r;
            for (var i = j + 1; i < len; i++)
            {
                var at = ((k + i) * stride) + k + j;
                var lij = (_chol[at] + (sn * v[i])) / c;
                _chol[at] = lij;
                v[i] = (c * v[i]) - (sn * lij);
            }
        }
    }

    /// <summary>Keeps rows/columns <paramref name="keptOld"/> (old positions, increasing) of H_PP, in order.</summary>
    private void CompactPassiveHessian(ReadOnlySpan<int> keptOld)
    {
        var stride = Stride;
        for (var r = 0; r < keptOld.Length; r++)
        {
            var or = keptOld[r];
            for (var c = 0; c < keptOld.Length; c++)
            {
                _hpp[(r * stride) + c] = _hpp[(or * stride) + keptOld[c]];
            }
        }
    }

    /// <summary>H_PP = Σ_h w_h b_hP b_hPᵀ from the rows of B (for a new model or a new start set).</summary>
    private void BuildPassiveHessian()
    {
        var n = _nPassive;
        var stride = Stride;
        Grow(ref _hpp, stride * stride);
        for (var r = 0; r < n; r++)
        {
            _hpp.AsSpan(r * stride, n).Clear();
        }

        for (var h = 0; h < _hits; h++)
        {
            var lo = _lo[h];
            var row = _vals.AsSpan(_off[h], _len[h]);
            var cnt = 0;
            for (var t = 0; t < row.Length; t++)
            {
                var pos = _posInPassive[lo + t];
                if (pos >= 0 && row[t] > 0)
                {
                    _gather[cnt] = row[t];
                    _gatherPos[cnt++] = pos;
                }
            }

            var w = _w[h];
            for (var a = 0; a < cnt; a++)
            {
                var wa = w * _gather[a];
                var ra = _gatherPos[a] * stride;
                for (var c = 0; c < cnt; c++)
                {
                    _hpp[ra + _gatherPos[c]] += wa * _gather[c];
                }
            }
        }
    }

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            array = new T[Math.Max(size, array.Length * 2)];
        }
    }
}
