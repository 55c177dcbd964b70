namespace Skymap.Core.Likelihood.Internal;

/// <summary>A fixed synthetic DOM batch (deterministic, no random numbers) that exercises every branch of the kernel.</summary>
internal sealed class PhaseCalibrationDoms
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _z;
    private readonly double[] _t1;
    private readonly double[] _n;

    public PhaseCalibrationDoms(int count)
    {
        _x = new double[count];
        _y = new double[count];
        _z = new double[count];
        _t1 = new double[count];
        _n = new double[count];
        for (var i = 0; i < count; i++)
        {
            var rho = 5.0 + ((i * 37) % 150);
            var angle = 2.4 * i;
            _x[i] = rho * Math.Cos(angle);
            _y[i] = rho * Math.Sin(angle);
            _z[i] = -300.0 + ((i * 53) % 600);
            _t1[i] = ((_z[i] + (1.2 * rho)) / 0.2998) + ((i * 29) % 400) - 50.0;
            _n[i] = 1 + (i % 4);
        }
    }

    /// <summary>The DOMs as a kernel input.</summary>
    public DomBatch Batch => new(_x, _y, _z, _t1, _n);
}
