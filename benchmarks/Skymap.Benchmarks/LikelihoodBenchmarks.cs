using BenchmarkDotNet.Attributes;
using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;
using Skymap.Recos;

namespace Skymap.Benchmarks;

/// <summary>
/// Kernel throughput: one event llh over 5000 DOMs per call, reported per DOM evaluation (OperationsPerInvoke), scalar
/// vs SIMD, for pandel_mpe and pandel_spe; and millipede's profiled llh per evaluation (energies solved each time).
/// </summary>
[MemoryDiagnoser]
public class LikelihoodBenchmarks
{
    private const int DomCount = 5000;
    private HitDomArrays _doms = null!;
    private TrackHypothesis[] _hyps = [];
    private ILikelihoodKernel _scalar = null!;
    private ILikelihoodKernel _simd = null!;
    private MillipedeEvaluator _millipede = null!;
    private LocalDirection _dir;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        (_doms, _hyps) = SyntheticTrack.KernelInput(DomCount, 7);
        _scalar = LikelihoodKernels.Create(KernelKind.Scalar);
        _simd = LikelihoodKernels.Create(KernelKind.Simd);
        Console.WriteLine($"// SIMD kernel: {_simd.Name}");
        _dir = new LocalDirection(1.1, 2.3);
        var evt = SyntheticTrack.Create(17, _dir, new Vector3D(40, -30, 20), 1e5);
        var prepared = new MillipedeReco().Prepare(evt, new RecoContext());
        _millipede = new MillipedeEvaluator(MillipedeModel.Create(prepared), LikelihoodKernels.Create(KernelKind.Auto));
    }

    private ref readonly TrackHypothesis Next() => ref _hyps[_i++ & 15];

    [Benchmark(Baseline = true, OperationsPerInvoke = DomCount)]
    public double PandelMpeScalar() => _scalar.PandelLlh(PandelVariant.Mpe, Next(), _doms.AsBatch());

    [Benchmark(OperationsPerInvoke = DomCount)]
    public double PandelMpeSimd() => _simd.PandelLlh(PandelVariant.Mpe, Next(), _doms.AsBatch());

    [Benchmark(OperationsPerInvoke = DomCount)]
    public double PandelSpeScalar() => _scalar.PandelLlh(PandelVariant.Spe, Next(), _doms.AsBatch());

    [Benchmark(OperationsPerInvoke = DomCount)]
    public double PandelSpeSimd() => _simd.PandelLlh(PandelVariant.Spe, Next(), _doms.AsBatch());

    /// <summary>Millipede profiled llh, warm-started from the previous evaluation (as inside a fit).</summary>
    [Benchmark]
    public double MillipedeWarm() => _millipede.Evaluate(_dir.Travel, new Vector3D(40 + ((_i++ & 7) * 2.0), -30, 20), warmStart: true);

    /// <summary>Millipede profiled llh from a cold start (the first evaluation of a fit).</summary>
    [Benchmark]
    public double MillipedeCold() => _millipede.Evaluate(_dir.Travel, new Vector3D(40 + ((_i++ & 7) * 2.0), -30, 20), warmStart: false);
}

/// <summary>One fit of one pixel variation on a ~100 TeV synthetic track (hundreds of hit DOMs).</summary>
public class LikelihoodFitBenchmarks
{
    private IRecoWorker _mpe = null!;
    private IRecoWorker _millipede = null!;
    private PixelVariation[] _requests = [];
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var dir = new LocalDirection(1.1, 2.3);
        var evt = SyntheticTrack.Create(17, dir, new Vector3D(40, -30, 20), 1e5);
        var mpe = new PandelMpeReco();
        var prepared = mpe.Prepare(evt, new RecoContext());
        Console.WriteLine($"// hit DOMs: {prepared.HitDoms.Count}");
        _mpe = mpe.CreateWorker(prepared, new RecoContext());
        _millipede = new MillipedeReco().CreateWorker(prepared, new RecoContext());
        var rng = new Random(3);
        _requests = Enumerable.Range(0, 16).Select(i =>
        {
            // Directions within ~10° of the truth (a refined region) and elsewhere on the sky, alternately.
            var d = (i & 1) == 0
                ? new LocalDirection(dir.Zenith + ((rng.NextDouble() - 0.5) * 0.3), dir.Azimuth + ((rng.NextDouble() - 0.5) * 0.3))
                : new LocalDirection(Math.Acos((2 * rng.NextDouble()) - 1), 2 * Math.PI * rng.NextDouble());
            return new PixelVariation
            {
                Id = new(8, i, 0), Direction = d,
                Seed = new RecoSeed(prepared.SeedVertex, prepared.SeedTime, double.NaN),
            };
        }).ToArray();
    }

    [Benchmark]
    public double PandelMpeFit() => _mpe.Fit(_requests[_i++ & 15], CancellationToken.None).Llh;

    [Benchmark]
    public double MillipedeFit() => _millipede.Fit(_requests[_i++ & 15], CancellationToken.None).Llh;
}
