using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Skymap.Core.Likelihood.Internal;

/// <summary>
/// Which of the four 16-byte phases (modulo 64) of the stack the SIMD kernel's frames should sit at, per vector width.
/// </summary>
/// <remarks>
/// The JIT passes vector structs to non-inlined calls (the BCL's vectorised exp/log, our special functions) through the
/// stack, and aligns frames to 16 bytes only. At two of the four phases each 64-byte argument straddles a cache line,
/// and on AMD Zen 4 the kernel then runs at 31 M DOM-evaluations/s instead of 56 M (SIMD-512; SIMD-256: 37 against 43 M),
/// depending only on how deep the calling code happened to be. The kernel therefore pads the stack to a chosen phase
/// before it runs (<see cref="SimdLikelihoodKernel"/>), and this class picks that phase by timing the four on a fixed
/// synthetic batch: once after a thread's first 1,024 kernel calls and again after 65,536 (when the JIT's tiering has
/// settled). The phase changes where the frames lie, never what is computed: every phase gives bit-identical results.
/// </remarks>
internal static class KernelStackPhase
{
    /// <summary>The candidate phases (bytes below a 64-byte boundary, as a padding label).</summary>
    public static readonly int[] Phases = [0, 16, 32, 48];

    private const int FirstCalibration = 1 << 10;
    private const int SecondCalibration = 1 << 16;
    private const int Samples = 7;
    private const int CallsPerSample = 4;

    private static readonly int[] Targets = new int[4];

    [ThreadStatic]
    private static int t_calls;

    /// <summary>The phase to use for <paramref name="laneCount"/>-lane vectors.</summary>
    public static int Target(int laneCount) => Volatile.Read(ref Targets[Index(laneCount)]);

    /// <summary>Counts a kernel call on this thread; true when it is time to (re)calibrate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CountCall()
    {
        var n = ++t_calls;
        return n is FirstCalibration or SecondCalibration;
    }

    /// <summary>
    /// Times <paramref name="run"/> (one kernel call at the given phase) at each phase, interleaved, and keeps the phase
    /// with the shortest best time for <paramref name="laneCount"/>. Returns the chosen phase.
    /// </summary>
    public static int Calibrate(int laneCount, Action<int> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var best = new long[Phases.Length];
        Array.Fill(best, long.MaxValue);
        for (var s = 0; s < Samples; s++)
        {
            for (var p = 0; p < Phases.Length; p++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var c = 0; c < CallsPerSample; c++)
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

        Volatile.Write(ref Targets[Index(laneCount)], Phases[chosen]);
        return Phases[chosen];
    }

    /// <summary>
    /// Bytes to take off the stack (a multiple of 16, at least 16) so that a frame entered from here lies at
    /// <paramref name="phase"/>, given the address of a local of the caller's frame.
    /// </summary>
    public static int Padding(nuint localAddress, int phase) => (int)((localAddress - (nuint)phase) & 48) + 16;

    private static int Index(int laneCount) => laneCount switch
    {
        8 => 0,
        4 => 1,
        2 => 2,
        _ => 3,
    };
}
