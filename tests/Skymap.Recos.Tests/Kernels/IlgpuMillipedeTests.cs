using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Skymap.Core.Physics;
using Skymap.Core.Recos;
using Xunit.Abstractions;

namespace Skymap.Recos.Tests.Kernels;

/// <summary>
/// Millipede's response matrix, Poisson llh and EM energy steps as ILGPU kernels (CPU accelerator), against the
/// formulas of PHYSICS.md §4 and against the CPU evaluator's profiled llh.
/// </summary>
public class IlgpuMillipedeTests(ITestOutputHelper output)
{
    private static (MillipedeModel Model, IlgpuMillipede Gpu) Setup()
    {
        var reco = new MillipedeReco();
        var prepared = reco.Prepare(BuiltinEvents.Get("track-10tev"), new RecoContext());
        var model = MillipedeModel.Create(prepared);
        var kernel = (IlgpuLikelihoodKernel)LikelihoodKernels.Create(KernelKind.IlgpuCpu);
        return (model, new IlgpuMillipede(kernel, model.X, model.Y, model.Z, model.Amplitude, model.Charge, model.LnGammaChargePlusOne));
    }

    private static MillipedeTrack[] Tracks(MillipedeModel model) =>
    [
        IlgpuMillipede.Track(model.CentreOfGravity, new Vector3D(0.3, -0.2, -0.9).Normalized()),
        IlgpuMillipede.Track(model.CentreOfGravity + new Vector3D(40, -20, 10), new Vector3D(-0.5, 0.5, 0.2).Normalized()),
        IlgpuMillipede.Track(new Vector3D(595, 595, 0), new Vector3D(1, -1, 0).Normalized()), // a 14 m chord across an edge of the cube
    ];

    [Fact]
    public void Response_matrix_matches_the_yield_formula()
    {
        var (model, gpu) = Setup();
        using var _ = gpu;
        var tracks = Tracks(model);
        var m = IlgpuMillipede.Stride(tracks);
        var b = new double[tracks.Length * model.Count * m];
        gpu.Response(tracks, b);
        var rng = new Random(3);
        var nonzero = 0;
        for (var trial = 0; trial < 4000; trial++)
        {
            var t = rng.Next(tracks.Length);
            var j = rng.Next(model.Count);
            var s = rng.Next(m);
            var tr = tracks[t];
            var expected = 0.0;
            if (s < tr.Count)
            {
                var src = new Vector3D(tr.X, tr.Y, tr.Z) + ((tr.SIn + (s * PhysicsConstants.CascadeSpacing)) * new Vector3D(tr.Dx, tr.Dy, tr.Dz));
                var r = (new Vector3D(model.X[j], model.Y[j], model.Z[j]) - src).Length;
                expected = r > 300 ? 0.0 : model.Amplitude[j] * Math.Exp(-(r + 0.1) / 30.0) / (r + 0.1);
            }

            var actual = b[(((t * model.Count) + j) * m) + s];
            nonzero += actual > 0 ? 1 : 0;
            Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Abs(expected), $"track {t} DOM {j} source {s}: {expected:R} vs {actual:R}");
        }

        Assert.True(nonzero > 100, $"{nonzero} non-zero entries sampled");
        Assert.True(tracks[2].Count is > 0 and < 5, $"corner track has {tracks[2].Count} sources");
    }

    [Fact]
    public void Llh_at_the_cpu_evaluators_energies_equals_its_profiled_llh_and_em_steps_descend()
    {
        var (model, gpu) = Setup();
        using var _ = gpu;
        var evaluator = new MillipedeEvaluator(model, ScalarLikelihoodKernel.Instance);
        var tracks = Tracks(model);
        var m = IlgpuMillipede.Stride(tracks);
        var energies = new double[tracks.Length * m];
        var cpu = new double[tracks.Length];
        for (var t = 0; t < tracks.Length; t++)
        {
            var tr = tracks[t];
            cpu[t] = evaluator.Evaluate(new Vector3D(tr.Dx, tr.Dy, tr.Dz), new Vector3D(tr.X, tr.Y, tr.Z), warmStart: false);
            Assert.Equal(tr.Count, evaluator.SourceCount);
            evaluator.Energies.CopyTo(energies.AsSpan(t * m, tr.Count));
        }

        var llh = new double[tracks.Length];
        gpu.Evaluate(tracks, (double[])energies.Clone(), 0, llh);
        for (var t = 0; t < tracks.Length; t++)
        {
            Assert.True(Math.Abs(llh[t] - cpu[t]) <= 1e-9 * Math.Abs(cpu[t]), $"track {t}: CPU profiled {cpu[t]:R}, GPU at its energies {llh[t]:R}");
        }

        // One track alone equals the same track inside the batch, bit for bit.
        var single = new double[1];
        var e1 = new double[tracks[1].Count];
        energies.AsSpan(m, tracks[1].Count).CopyTo(e1);
        gpu.Evaluate(tracks.AsSpan(1, 1), e1, 0, single);
        Assert.Equal(BitConverter.DoubleToInt64Bits(llh[1]), BitConverter.DoubleToInt64Bits(single[0]));

        // EM from a flat start: the llh never increases and approaches the profiled optimum from above.
        var flat = new double[tracks.Length * m];
        for (var t = 0; t < tracks.Length; t++)
        {
            flat.AsSpan(t * m, tracks[t].Count).Fill(10.0);
        }

        var previous = new double[tracks.Length];
        gpu.Evaluate(tracks, flat, 0, previous);
        var after = new double[tracks.Length];
        for (var round = 0; round < 3; round++)
        {
            gpu.Evaluate(tracks, flat, 10, after);
            for (var t = 0; t < tracks.Length; t++)
            {
                Assert.True(after[t] <= previous[t] + (1e-9 * Math.Abs(previous[t])), $"track {t} round {round}: {previous[t]:R} → {after[t]:R}");
                Assert.True(after[t] >= cpu[t] - 1e-3, $"track {t}: EM {after[t]:R} below the profiled optimum {cpu[t]:R}");
            }

            after.CopyTo(previous, 0);
        }

        output.WriteLine($"after 30 EM steps the llh is above the profiled optimum by {string.Join(", ", after.Select((v, t) => (v - cpu[t]).ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.All(flat, e => Assert.True(e >= 0));
    }
}
