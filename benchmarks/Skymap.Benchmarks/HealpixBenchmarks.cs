using BenchmarkDotNet.Attributes;
using Skymap.Core.Healpix;

namespace Skymap.Benchmarks;

/// <summary>
/// HEALPix conversions over 2^20 precomputed random directions (uniform on the sphere) or pixels, one scalar call per
/// element and the span-based batch calls; the report reads per operation (OperationsPerInvoke).
/// Compare with healpy's vectorised calls: tools/healpy-fixtures/healpy_throughput.py.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HealpixBenchmarks
{
    private const int N = 1 << 20;
    private double[] _theta = [];
    private double[] _phi = [];
    private long[] _pixels = [];
    private long[] _ids = [];
    private double[] _thetaOut = [];
    private double[] _phiOut = [];

    [Params(1024L, 1L << 20)]
    public long Nside { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _theta = new double[N];
        _phi = new double[N];
        _pixels = new long[N];
        var npix = Healpix.NPix(Nside);
        for (var i = 0; i < N; i++)
        {
            _theta[i] = Math.Acos((2 * rng.NextDouble()) - 1);
            _phi[i] = 2 * Math.PI * rng.NextDouble();
            _pixels[i] = rng.NextInt64(npix);
        }

        _ids = new long[N];
        _thetaOut = new double[N];
        _phiOut = new double[N];
    }

    [Benchmark(OperationsPerInvoke = N)]
    public long Ang2PixRing() => Ang2Pix(HealpixOrdering.Ring);

    [Benchmark(OperationsPerInvoke = N)]
    public long Ang2PixNest() => Ang2Pix(HealpixOrdering.Nest);

    [Benchmark(OperationsPerInvoke = N)]
    public double Pix2AngRing() => Pix2Ang(HealpixOrdering.Ring);

    [Benchmark(OperationsPerInvoke = N)]
    public double Pix2AngNest() => Pix2Ang(HealpixOrdering.Nest);

    [Benchmark(OperationsPerInvoke = N)]
    public long Ang2PixRingBatch()
    {
        Healpix.Ang2Pix(Nside, _theta, _phi, _ids);
        return _ids[^1];
    }

    [Benchmark(OperationsPerInvoke = N)]
    public long Ang2PixNestBatch()
    {
        Healpix.Ang2Pix(Nside, _theta, _phi, _ids, HealpixOrdering.Nest);
        return _ids[^1];
    }

    [Benchmark(OperationsPerInvoke = N)]
    public double Pix2AngRingBatch()
    {
        Healpix.Pix2Ang(Nside, _pixels, _thetaOut, _phiOut);
        return _thetaOut[^1];
    }

    [Benchmark(OperationsPerInvoke = N)]
    public double Pix2AngNestBatch()
    {
        Healpix.Pix2Ang(Nside, _pixels, _thetaOut, _phiOut, HealpixOrdering.Nest);
        return _thetaOut[^1];
    }

    private long Ang2Pix(HealpixOrdering ordering)
    {
        var nside = Nside;
        var theta = _theta;
        var phi = _phi;
        long acc = 0;
        for (var i = 0; i < theta.Length; i++)
        {
            acc += Healpix.Ang2Pix(nside, theta[i], phi[i], ordering);
        }

        return acc;
    }

    private double Pix2Ang(HealpixOrdering ordering)
    {
        var nside = Nside;
        var pixels = _pixels;
        var acc = 0.0;
        for (var i = 0; i < pixels.Length; i++)
        {
            var (t, f) = Healpix.Pix2Ang(nside, pixels[i], ordering);
            acc += t + f;
        }

        return acc;
    }
}
