using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.OpenCl;
using Skymap.Core.Likelihood.OpenCl.Internal;

namespace Skymap.Core.Tests.Likelihood.OpenCl;

/// <summary>What is particular to the OpenCL backend: probing, absence, selection, binding, build errors, disposal.</summary>
public class OpenClBackendTests
{
    [Fact]
    public void An_absent_library_gives_a_reason_instead_of_throwing()
    {
        var probe = OpenClDevices.Probe(["/nonexistent/skymap/libOpenCL.so.1", "skymap-no-such-opencl"]);
        Assert.Null(probe.Native);
        Assert.Empty(probe.Devices);
        Assert.NotNull(probe.UnavailableReason);
        Assert.Contains("no OpenCL library could be loaded", probe.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/skymap/libOpenCL.so.1", probe.UnavailableReason, StringComparison.Ordinal);
        Assert.False(probe.TrySelect(null, requireGpu: false, out var device, out var reason));
        Assert.Null(device);
        Assert.Equal(probe.UnavailableReason, reason);
    }

    [Fact]
    public void A_library_without_the_entry_points_is_rejected_with_a_reason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // libc loads but is no OpenCL loader.
        Assert.False(OpenClNative.TryLoad(["libc.so.6"], out var native, out var reason));
        Assert.Null(native);
        Assert.Contains("lacks the entry point clGetPlatformIDs", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_probe_never_throws_and_is_consistent()
    {
        var devices = OpenClDevices.List();
        Assert.Equal(OpenClDevices.IsAvailable, OpenClDevices.UnavailableReason is null);
        Assert.Equal(OpenClDevices.IsAvailable, devices.Any(d => d.SupportsDouble));
        for (var i = 0; i < devices.Count; i++)
        {
            Assert.Equal(i, devices[i].Index);
            Assert.False(string.IsNullOrEmpty(devices[i].Name));
            Assert.Contains(devices[i].SupportsDouble ? "fp64 yes" : "fp64 no", devices[i].ToString(), StringComparison.Ordinal);
        }

        Assert.False(OpenClDevices.TrySelect("skymap-no-such-device", requireGpu: false, out _, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
        Assert.False(OpenClDevices.TrySelect("999", requireGpu: false, out _, out reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void Pocl_cache_dir_is_set_in_the_native_environment()
    {
        _ = OpenClDevices.List();
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var dir = PoclEnvironment.GetNative(PoclEnvironment.CacheVariable);
        Assert.False(string.IsNullOrEmpty(dir));
        Assert.True(Directory.Exists(dir), dir);
        Assert.Equal(dir, PoclEnvironment.EnsureCacheDirectory());
    }

    [OpenClFact]
    public void Selection_by_index_and_by_name_finds_the_device()
    {
        Assert.True(OpenClDevices.TrySelect(null, requireGpu: false, out var best, out var reason), reason);
        Assert.True(best.SupportsDouble);
        Assert.True(OpenClDevices.TrySelect(best.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), requireGpu: false, out var byIndex, out _));
        Assert.Same(best, byIndex);
        Assert.True(OpenClDevices.TrySelect(best.Name[..Math.Min(6, best.Name.Length)].ToUpperInvariant(), requireGpu: false, out var byName, out _));
        Assert.True(byName.SupportsDouble);
        if (!OpenClDevices.List().Any(d => d.Type == OpenClDeviceType.Gpu && d.SupportsDouble))
        {
            Assert.False(OpenClDevices.TrySelect(null, requireGpu: true, out _, out reason));
            Assert.Contains("GPU", reason, StringComparison.Ordinal);
        }
    }

    [OpenClFact]
    public void A_build_failure_names_the_call_and_carries_the_build_log()
    {
        Assert.True(OpenClDevices.TrySelect(null, requireGpu: false, out var device, out _));
        var e = Assert.Throws<OpenClException>(() => new OpenClLikelihoodKernel(device, "__kernel void broken(__global double* x) { x[0] = undeclared_thing; }"));
        Assert.Equal("clBuildProgram", e.Call);
        Assert.Equal("CL_BUILD_PROGRAM_FAILURE", e.ErrorName);
        Assert.False(string.IsNullOrWhiteSpace(e.BuildLog));
        Assert.Contains("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)", e.Message, StringComparison.Ordinal);
    }

    [OpenClFact]
    public void Bound_arrays_and_other_batches_both_give_scalar_results()
    {
        using var kernel = CreateKernel();
        var a = Arrays(SyntheticDoms.Create(51, 700, 0.05));
        var b = SyntheticDoms.Create(52, 300, 0.05);
        var scalar = ScalarLikelihoodKernel.Instance;
        var h = SyntheticDoms.Create(51, 700).Truth;
        kernel.Bind(a);
        for (var round = 0; round < 2; round++)
        {
            foreach (var v in new[] { PandelVariant.Spe, PandelVariant.Mpe })
            {
                var expectedA = scalar.PandelLlh(v, h, a.AsBatch());
                Assert.Equal(expectedA, kernel.PandelLlh(v, h, a.AsBatch()), 1e-9 * Math.Abs(expectedA));
                var expectedB = scalar.PandelLlh(v, b.Truth, b.Batch);
                Assert.Equal(expectedB, kernel.PandelLlh(v, b.Truth, b.Batch), 1e-9 * Math.Abs(expectedB));
            }
        }
    }

    [OpenClFact]
    public void A_large_batch_matches_scalar()
    {
        var kernel = KernelBackends.SharedOpenCl;
        var doms = SyntheticDoms.Create(53, 4000, 0.02);
        var rng = new Random(53);
        var hyps = Enumerable.Range(0, 64).Select(_ => doms.RandomHypothesis(rng, 200, 40, 500)).ToArray();
        var dest = new double[hyps.Length];
        kernel.PandelLlh(PandelVariant.Mpe, hyps, doms.Batch, dest);
        for (var i = 0; i < hyps.Length; i++)
        {
            var expected = ScalarLikelihoodKernel.Instance.PandelLlh(PandelVariant.Mpe, hyps[i], doms.Batch);
            Assert.Equal(expected, dest[i], 1e-9 * Math.Abs(expected));
        }
    }

    [OpenClFact]
    public void A_disposed_kernel_refuses_work()
    {
        var kernel = CreateKernel();
        Assert.Equal(KernelKind.OpenCl, kernel.Kind);
        Assert.StartsWith("opencl (", kernel.Name, StringComparison.Ordinal);
        Assert.True(kernel.WorkGroupSize >= 1 && (kernel.WorkGroupSize & (kernel.WorkGroupSize - 1)) == 0);
        kernel.Dispose();
        kernel.Dispose();
        var doms = SyntheticDoms.Create(54, 10);
        Assert.Throws<ObjectDisposedException>(() => kernel.PandelLlh(PandelVariant.Spe, doms.Truth, doms.Batch));
    }

    private static OpenClLikelihoodKernel CreateKernel()
    {
        Assert.True(OpenClLikelihoodKernel.TryCreate(null, requireGpu: false, out var kernel, out var reason), reason);
        return kernel;
    }

    private static HitDomArrays Arrays(SyntheticDoms d) =>
        HitDomArrays.FromHits(Enumerable.Range(0, d.X.Length)
            .Select(i => new HitDom(i, new Vector3D(d.X[i], d.Y[i], d.Z[i]), d.T1[i], d.Q[i], 1.0)).ToArray());
}
