using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Skymap.Core.Likelihood.Internal;

/// <summary>
/// A place in the code that runs vector code at a chosen 16-byte stack phase (modulo 64), and which phase that is.
/// </summary>
/// <remarks>
/// The JIT passes vector structs to non-inlined calls (the BCL's vectorised exp/log, our special functions) through the
/// stack, and aligns frames to 16 bytes only. At two of the four phases each 64-byte argument straddles a cache line.
/// On AMD Zen 4 the Pandel kernel then runs at 31 M DOM-evaluations/s instead of 56 M (SIMD-512; SIMD-256: 37 against
/// 43 M), depending only on how deep the calling code happened to be. A site
/// pads the stack to its phase before the vector code runs (<see cref="Padding"/>, in a caller's non-inlined method) and
/// picks that phase by timing the four: once after a thread's first 1,024 calls and again after 65,536 (when the JIT's
/// tiering has settled). The phase changes where the frames lie, never what is computed: every phase gives
/// bit-identical results.
/// </remarks>
internal sealed class KernelStackPhase
{
    /// <summary>The candidate phases (labels of the four 16-byte positions modulo 64).</summary>
    public static readonly int[] Phases = [0, 16, 32, 48];

    private const int Sites = 8;
    private const int FirstCalibration = 1 << 10;
    private const int SecondCalibration = 1 << 16;
    private const int Samples = 7;

    private static readonly KernelStackPhase[] PandelSites = [new(0), new(1), new(2)];

    [ThreadStatic]
    private static int[]? t_calls;

    private readonly int _id;
    private int _target;

    /// <summary>A site with its own phase; <paramref name="id"/> (0–7) indexes the per-thread call counts.</summary>
    public KernelStackPhase(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Sites);
        _id = id;
    }

    /// <summary>The phase to run at.</summary>
    public int Target => Volatile.Read(ref _target);

    /// <summary>The site of the Pandel kernel for <paramref name="laneCount"/>-lane vectors.</summary>
    public static KernelStackPhase Pandel(int laneCount) => PandelSites[Index(laneCount)];

    /// <summary>
    /// Bytes to take off the stack (a multiple of 16, 16 to 64) so that a frame entered from here lies at
    /// <paramref name="phase"/>, given the address of a local of the caller's frame.
    /// </summary>
    public static int Padding(nuint localAddress, int phase) => (int)((localAddress - (nuint)phase) & 48) + 16;

    /// <summary>Counts a call on this thread; true when it is time to (re)calibrate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool CountCall()
    {
        var calls = t_calls ??= new int[Sites];
        var n = ++calls[_id];
        return n is FirstCalibration or SecondCalibration;
    }

    /// <summary>
    /// Times <paramref name="run"/> (the site's work at the given phase, <paramref name="repeat"/> times a sample) at each
    /// phase, interleaved, and keeps the phase with the shortest best sample. Returns the chosen phase.
    /// </summary>
    public int Calibrate(Action<int> run, int repeat = 1)
    {
        ArgumentNullException.ThrowIfNull(run);
        var best = new long[Phases.Length];
        Array.Fill(best, long.MaxValue);
        for (var s = 0; s < Samples; s++)
        {
            for (var p = 0; p < Phases.Length; p++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var c = 0; c < repeat; c++)
                {
                    run(Phases[p]);
                }

                best[p] = Math.Min(best[p], Stopwatch.GetTimestamp() - start);
            }
        }

        var chosen = 0;
        for (var p = 1; p < Phases.Length; p++)
        {
            if (best[p] < best[chosen])
            {
                chosen = p;
            }
        }

        Volatile.Write(ref _target, Phases[chosen]);
        return Phases[chosen];
    }

    private static int Index(int laneCount) => laneCount switch
    {
        8 => 0,
        4 => 1,
        _ => 2,
    };
}
