using ILGPU;

namespace Skymap.Core.Likelihood.Ilgpu.Internal;

/// <summary>
/// The Pandel llh of PHYSICS.md §3 as ILGPU kernels. The per-DOM maths is <see cref="ScalarLikelihoodKernel.Term"/>
/// itself (the same C# the scalar kernel runs), so scalar, GPU and the CPU accelerator share one implementation.
/// </summary>
/// <remarks>
/// The DOM buffer is laid out as five planes of <c>count</c> doubles: x, y, z, t1, N. <see cref="Llh"/> runs one
/// group per hypothesis: thread i sums DOMs i, i + G, i + 2G, … and the G partial sums are added by a fixed-shape
/// tree in shared memory (G a power of two). The order of additions depends only on the DOM count and G, so the
/// result is bit-reproducible, independent of the batch a hypothesis is in, and free of atomics.
/// </remarks>
internal static class PandelKernels
{
    /// <summary>Shared-memory slots per group; the group size is a power of two ≤ this.</summary>
    public const int MaxGroupSize = 256;

    /// <summary>output[g] = llh of hypotheses[g] (one group per hypothesis).</summary>
    public static void Llh(ArrayView<double> doms, int count, int mpe, ArrayView<TrackHypothesis> hypotheses, ArrayView<double> output)
    {
        var partial = SharedMemory.Allocate<double>(MaxGroupSize);
        var tid = Group.IdxX;
        var size = Group.DimX;
        var h = hypotheses[Grid.IdxX];
        var isMpe = mpe != 0;
        var sum = 0.0;
        for (var i = tid; i < count; i += size)
        {
            sum += ScalarLikelihoodKernel.Term(isMpe, h, doms[i], doms[count + i], doms[(2 * count) + i], doms[(3 * count) + i], doms[(4 * count) + i]);
        }

        partial[tid] = sum;
        Group.Barrier();
        for (var s = size / 2; s > 0; s /= 2)
        {
            if (tid < s)
            {
                partial[tid] += partial[tid + s];
            }

            Group.Barrier();
        }

        if (tid == 0)
        {
            output[Grid.IdxX] = partial[0];
        }
    }

    /// <summary>output[i] = −ln(L_i + ν) of DOM i for hypotheses[0].</summary>
    public static void Terms(Index1D i, ArrayView<double> doms, int count, int mpe, ArrayView<TrackHypothesis> hypotheses, ArrayView<double> output)
    {
        var h = hypotheses[0];
        output[i] = ScalarLikelihoodKernel.Term(mpe != 0, h, doms[i], doms[count + i], doms[(2 * count) + i], doms[(3 * count) + i], doms[(4 * count) + i]);
    }
}
