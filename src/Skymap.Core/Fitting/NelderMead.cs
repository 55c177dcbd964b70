namespace Skymap.Core.Fitting;

/// <summary>Stopping rule of <see cref="NelderMead"/> (PHYSICS.md §3.1: spread &lt; 1e-4 or 1000 evaluations).</summary>
internal sealed record NelderMeadOptions
{
    /// <summary>Stop when max − min of the function over the simplex vertices is below this.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Stop after this many function evaluations.</summary>
    public int MaxEvaluations { get; init; } = 1000;

    /// <summary>The default rule.</summary>
    public static NelderMeadOptions Default { get; } = new();
}

/// <summary>A function to minimise over a point.</summary>
/// <param name="point">The point; valid only during the call.</param>
/// <returns>The value; NaN is treated as +∞.</returns>
internal delegate double ObjectiveFunction(ReadOnlySpan<double> point);

/// <summary>The outcome of a minimisation.</summary>
/// <param name="Point">The best point evaluated.</param>
/// <param name="Value">Its value.</param>
/// <param name="Evaluations">Number of function evaluations.</param>
/// <param name="Converged">True when the spread criterion was met (false: evaluation limit).</param>
internal sealed record NelderMeadResult(double[] Point, double Value, int Evaluations, bool Converged);

/// <summary>
/// Derivative-free downhill simplex (Nelder–Mead with the standard coefficients: reflection 1, expansion 2,
/// contraction ½, shrink ½; Lagarias et al. 1998 acceptance rules). Written as an ask/tell state machine —
/// <see cref="Candidate"/> is the next point to evaluate, <see cref="Tell"/> gives its value — so that many fits can
/// run in lockstep with their evaluations batched (one kernel call per step); <see cref="Minimize"/> is the plain loop.
/// Deterministic: ties keep the earlier vertex. Not thread-safe.
/// </summary>
internal sealed class NelderMead
{
    private const double Reflection = 1.0;
    private const double Expansion = 2.0;
    private const double Contraction = 0.5;
    private const double Shrink = 0.5;

    private readonly int _n;
    private readonly double[][] _vertices;
    private readonly double[] _values;
    private readonly double[] _centroid;
    private readonly double[] _reflected;
    private readonly double[] _trial;
    private readonly double[] _candidate;
    private readonly double[] _best;
    private readonly NelderMeadOptions _options;
    private Phase _phase;
    private int _index;
    private double _reflectedValue;

    /// <summary>Starts a minimisation: the initial simplex is <paramref name="start"/> and start + steps[i]·e_i.</summary>
    /// <exception cref="ArgumentException">Empty start, or lengths differ, or a step is zero or not finite.</exception>
    public NelderMead(ReadOnlySpan<double> start, ReadOnlySpan<double> steps, NelderMeadOptions? options = null)
    {
        if (start.IsEmpty || steps.Length != start.Length)
        {
            throw new ArgumentException("start and steps must be non-empty and of equal length", nameof(steps));
        }

        foreach (var s in steps)
        {
            if (s == 0 || !double.IsFinite(s))
            {
                throw new ArgumentException("steps must be finite and non-zero", nameof(steps));
            }
        }

        _options = options ?? NelderMeadOptions.Default;
        _n = start.Length;
        _vertices = new double[_n + 1][];
        for (var i = 0; i <= _n; i++)
        {
            _vertices[i] = start.ToArray();
            if (i > 0)
            {
                _vertices[i][i - 1] += steps[i - 1];
            }
        }

        _values = new double[_n + 1];
        _centroid = new double[_n];
        _reflected = new double[_n];
        _trial = new double[_n];
        _candidate = new double[_n];
        _best = start.ToArray();
        BestValue = double.PositiveInfinity;
        _phase = Phase.Init;
        _index = 0;
        _vertices[0].CopyTo(_candidate, 0);
    }

    private enum Phase
    {
        Init,
        Reflect,
        Expand,
        ContractOutside,
        ContractInside,
        Shrink,
        Done,
    }

    /// <summary>Number of parameters.</summary>
    public int Dimension => _n;

    /// <summary>True once the stopping rule is met; <see cref="Candidate"/> is then meaningless.</summary>
    public bool IsFinished => _phase == Phase.Done;

    /// <summary>True when finished by the spread criterion.</summary>
    public bool Converged { get; private set; }

    /// <summary>Function evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Completed iterations (reflection steps begun).</summary>
    public int Iterations { get; private set; }

    /// <summary>The point whose value <see cref="Tell"/> expects next.</summary>
    public ReadOnlySpan<double> Candidate => _candidate;

    /// <summary>The best point evaluated so far.</summary>
    public ReadOnlySpan<double> BestPoint => _best;

    /// <summary>The lowest value seen so far (+∞ before the first).</summary>
    public double BestValue { get; private set; }

    /// <summary>The current result.</summary>
    public NelderMeadResult Result => new(_best.ToArray(), BestValue, Evaluations, Converged);

    /// <summary>Minimises <paramref name="f"/> from a start point with per-dimension initial steps.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled (checked before every evaluation).</exception>
    public static NelderMeadResult Minimize(
        ObjectiveFunction f, ReadOnlySpan<double> start, ReadOnlySpan<double> steps, NelderMeadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        var nm = new NelderMead(start, steps, options);
        while (!nm.IsFinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            nm.Tell(f(nm.Candidate));
        }

        return nm.Result;
    }

    /// <summary>Gives the value of <see cref="Candidate"/> and advances to the next candidate (or finishes).</summary>
    /// <exception cref="InvalidOperationException">Already finished.</exception>
    public void Tell(double value)
    {
        if (_phase == Phase.Done)
        {
            throw new InvalidOperationException("the minimisation has finished");
        }

        if (double.IsNaN(value))
        {
            value = double.PositiveInfinity;
        }

        Evaluations++;
        if (value < BestValue)
        {
            BestValue = value;
            _candidate.CopyTo(_best, 0);
        }

        switch (_phase)
        {
            case Phase.Init:
                _values[_index] = value;
                if (++_index <= _n)
                {
                    _vertices[_index].CopyTo(_candidate, 0);
                    CheckBudget();
                    return;
                }

                BeginIteration();
                return;

            case Phase.Reflect:
                _reflectedValue = value;
                if (value < _values[0])
                {
                    // Expand: x_e = x̄ + χ(x_r − x̄).
                    Combine(_centroid, _reflected, Expansion, _trial);
                    SetCandidate(_trial, Phase.Expand);
                }
                else if (value < _values[_n - 1])
                {
                    Accept(_reflected, value);
                }
                else if (value < _values[_n])
                {
                    // Outside contraction: x_c = x̄ + γ(x_r − x̄).
                    Combine(_centroid, _reflected, Contraction, _trial);
                    SetCandidate(_trial, Phase.ContractOutside);
                }
                else
                {
                    // Inside contraction: x_cc = x̄ + γ(x_worst − x̄).
                    Combine(_centroid, _vertices[_n], Contraction, _trial);
                    SetCandidate(_trial, Phase.ContractInside);
                }

                return;

            case Phase.Expand:
                if (value < _reflectedValue)
                {
                    Accept(_trial, value);
                }
                else
                {
                    Accept(_reflected, _reflectedValue);
                }

                return;

            case Phase.ContractOutside:
                if (value <= _reflectedValue)
                {
                    Accept(_trial, value);
                }
                else
                {
                    BeginShrink();
                }

                return;

            case Phase.ContractInside:
                if (value < _values[_n])
                {
                    Accept(_trial, value);
                }
                else
                {
                    BeginShrink();
                }

                return;

            case Phase.Shrink:
                _values[_index] = value;
                if (++_index <= _n)
                {
                    _vertices[_index].CopyTo(_candidate, 0);
                    CheckBudget();
                    return;
                }

                BeginIteration();
                return;
        }
    }

    private void SetCandidate(double[] point, Phase phase)
    {
        point.CopyTo(_candidate, 0);
        _phase = phase;
        CheckBudget();
    }

    private void CheckBudget()
    {
        if (Evaluations >= _options.MaxEvaluations)
        {
            _phase = Phase.Done;
        }
    }

    private void Accept(double[] point, double value)
    {
        point.CopyTo(_vertices[_n], 0);
        _values[_n] = value;
        BeginIteration();
    }

    private void BeginShrink()
    {
        // x_i = x_0 + σ(x_i − x_0), i = 1..n, then evaluate them.
        var x0 = _vertices[0];
        for (var i = 1; i <= _n; i++)
        {
            var v = _vertices[i];
            for (var k = 0; k < _n; k++)
            {
                v[k] = x0[k] + (Shrink * (v[k] - x0[k]));
            }
        }

        _index = 1;
        _phase = Phase.Shrink;
        _vertices[1].CopyTo(_candidate, 0);
        CheckBudget();
    }

    private void BeginIteration()
    {
        SortVertices();
        if (_values[_n] - _values[0] < _options.Tolerance)
        {
            Converged = true;
            _phase = Phase.Done;
            return;
        }

        if (Evaluations >= _options.MaxEvaluations)
        {
            _phase = Phase.Done;
            return;
        }

        Iterations++;
        Array.Clear(_centroid);
        for (var i = 0; i < _n; i++)
        {
            var v = _vertices[i];
            for (var k = 0; k < _n; k++)
            {
                _centroid[k] += v[k];
            }
        }

        for (var k = 0; k < _n; k++)
        {
            _centroid[k] /= _n;
        }

        // Reflect: x_r = x̄ + ρ(x̄ − x_worst).
        Combine(_centroid, _vertices[_n], -Reflection, _reflected);
        _reflected.CopyTo(_candidate, 0);
        _phase = Phase.Reflect;
    }

    private void SortVertices()
    {
        // Insertion sort by value, stable (ties keep the earlier vertex): deterministic and n is tiny.
        for (var i = 1; i <= _n; i++)
        {
            var v = _values[i];
            var x = _vertices[i];
            var j = i - 1;
            while (j >= 0 && _values[j] > v)
            {
                _values[j + 1] = _values[j];
                _vertices[j + 1] = _vertices[j];
                j--;
            }

            _values[j + 1] = v;
            _vertices[j + 1] = x;
        }
    }

    /// <summary>destination = c + t·(p − c).</summary>
    private void Combine(double[] c, double[] p, double t, double[] destination)
    {
        for (var k = 0; k < _n; k++)
        {
            destination[k] = c[k] + (t * (p[k] - c[k]));
        }
    }
}
