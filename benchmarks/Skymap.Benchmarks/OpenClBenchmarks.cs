using BenchmarkDotNet.Attributes;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.OpenCl;

namespace Skymap.Benchmarks;

/// <summary>
/// pandel_mpe DOM evaluations through OpenCL (the device <c>SKYMAP_OPENCL_DEVICE</c> names, else the best fp64 device)
/// against the best CPU kernel, for a batch of 64 hypotheses × 5000 DOMs and for one hypothesis (launch latency).
/// Times are per DOM evaluation (OperationsPerInvoke), so DOM-evaluations/s = 1e9 / Mean[ns]. Without an OpenCL fp64
/// device the OpenCL methods return at once and the reason is printed at setup.
/// </summary>
public class OpenClBenchmarks
{
    private const int HypothesisCount = 64;
    private const int DomCount = 5000;

    private OpenClLikelihoodKernel? _openCl;
    private ILikelihoodKernel _cpu = ScalarLikelihoodKernel.Instance;
    private HitDomArrays _doms = null!;
    private TrackHypothesis[] _hypotheses = [];
    private double[] _destination = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2024);
        var direction = Vector3D.FromSpherical(2.0, 1.0);
        var truth = new TrackHypothesis(new Vector3D(30, -40, 20), 10000, direction);
        var hits = DetectorGeometry.IC86.Doms.Where(d => d.Active).Take(DomCount).Select((d, i) =>
        {
            var (residualAtZero, _) = PandelPdf.Geometry(truth, d.Position.X, d.Position.Y, d.Position.Z, 0.0);
            var delay = rng.NextDouble() < 0.85 ? -Math.Log(1 - rng.NextDouble()) * 150 : (rng.NextDouble() - 0.3) * 6000;
            return new HitDom(i, d.Position, -residualAtZero + delay, 0.3 + (-Math.Log(1 - rng.NextDouble()) * 3), 1.0);
        }).ToArray();
        _doms = HitDomArrays.FromHits(hits);
        _hypotheses = Enumerable.Range(0, HypothesisCount).Select(_ => truth with
        {
            Vertex = truth.Vertex + new Vector3D(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * 200,
            Time = truth.Time + ((rng.NextDouble() - 0.5) * 200),
        }).ToArray();
        _destination = new double[HypothesisCount];
        _cpu = LikelihoodKernels.Create(KernelKind.Auto);

        if (OpenClLikelihoodKernel.TryCreate(out var kernel, out var reason))
        {
            _openCl = kernel;
            _openCl.Bind(_doms);
            Console.WriteLine($"// OpenCL: {_openCl.Name}, work-group {_openCl.WorkGroupSize}; CPU: {_cpu.Name}");
        }
        else
        {
            Console.WriteLine($"// OpenCL unavailable, its benchmarks measure nothing: {reason}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _openCl?.Dispose();

    [Benchmark(OperationsPerInvoke = HypothesisCount * DomCount)]
    public void OpenCl_mpe_64x5000()
    {
        _openCl?.PandelLlh(PandelVariant.Mpe, _hypotheses, _doms.AsBatch(), _destination);
    }

    [Benchmark(OperationsPerInvoke = DomCount)]
    public double OpenCl_mpe_1x5000() =>
        _openCl?.PandelLlh(PandelVariant.Mpe, _hypotheses[0], _doms.AsBatch()) ?? 0.0;

    [Benchmark(Baseline = true, OperationsPerInvoke = HypothesisCount * DomCount)]
    public void Cpu_mpe_64x5000() => _cpu.PandelLlh(PandelVariant.Mpe, _hypotheses, _doms.AsBatch(), _destination);
}
