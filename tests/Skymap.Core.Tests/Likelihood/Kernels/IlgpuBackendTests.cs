using System.Reflection;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Likelihood.Kernels;

/// <summary>The ILGPU backend: batches on the CPU accelerator against scalar, the offline PTX compile, device choice.</summary>
public class IlgpuBackendTests(ITestOutputHelper output)
{
    [Fact]
    public void Cpu_accelerator_agrees_with_scalar_to_1e9_for_every_hypothesis_of_a_batch()
    {
        var kernel = KernelBackends.SharedCpu;
        var worst = 0.0;
        foreach (var (seed, count) in new[] { (51, 600), (52, 1), (53, 17), (54, 1500) })
        {
            var doms = SyntheticDoms.Create(seed, count, 0.05);
            var hyps = LikelihoodKernelContractTests.Hypotheses(doms, seed, 60).ToArray();
            var gpu = new double[hyps.Length];
            foreach (var v in new[] { PandelVariant.Spe, PandelVariant.Mpe })
            {
                kernel.PandelLlh(v, hyps, doms.Batch, gpu);
                for (var i = 0; i < hyps.Length; i++)
                {
                    var s = ScalarLikelihoodKernel.Instance.PandelLlh(v, hyps[i], doms.Batch);
                    var rel = Math.Abs(gpu[i] - s) / Math.Abs(s);
                    Assert.True(rel <= 1e-9, $"{v} seed {seed} hypothesis {i}: scalar {s:R}, ilgpu-cpu {gpu[i]:R}");
                    worst = Math.Max(worst, rel);
                }
            }
        }

        output.WriteLine($"{kernel.Name}, group size {kernel.GroupSize}: worst relative difference {worst:E2}");
    }

    [Fact]
    public void Batch_results_do_not_depend_on_batch_size_or_order()
    {
        var kernel = KernelBackends.SharedCpu;
        var doms = SyntheticDoms.Create(55, 400, 0.05);
        var hyps = LikelihoodKernelContractTests.Hypotheses(doms, 55, 40).ToArray();
        var all = new double[hyps.Length];
        kernel.PandelLlh(PandelVariant.Mpe, hyps, doms.Batch, all);
        var reversed = hyps.Reverse().ToArray();
        var back = new double[hyps.Length];
        kernel.PandelLlh(PandelVariant.Mpe, reversed, doms.Batch, back);
        Array.Reverse(back);
        Assert.Equal(all.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
        var part = new double[5];
        kernel.PandelLlh(PandelVariant.Mpe, hyps.AsSpan(7, 5), doms.Batch, part);
        Assert.Equal(all.Skip(7).Take(5).Select(BitConverter.DoubleToInt64Bits), part.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Bound_arrays_are_used_and_a_different_event_is_uploaded()
    {
        var kernel = IlgpuLikelihoodKernel.CreateCpu();
        using var _ = kernel;
        var a = SyntheticDoms.Create(56, 300);
        var arrays = HitDomArrays.FromHits([.. Enumerable.Range(0, a.X.Length).Select(i =>
            new Skymap.Core.Events.HitDom(i, new Skymap.Core.Geometry.Vector3D(a.X[i], a.Y[i], a.Z[i]), a.T1[i], a.Q[i], 1.0))]);
        kernel.Bind(arrays);
        var bound = kernel.PandelLlh(PandelVariant.Mpe, a.Truth, arrays.AsBatch());
        Assert.Equal(ScalarLikelihoodKernel.Instance.PandelLlh(PandelVariant.Mpe, a.Truth, arrays.AsBatch()), bound, 1e-9 * Math.Abs(bound));
        var b = SyntheticDoms.Create(57, 200);
        Assert.Equal(ScalarLikelihoodKernel.Instance.PandelLlh(PandelVariant.Mpe, b.Truth, b.Batch), kernel.PandelLlh(PandelVariant.Mpe, b.Truth, b.Batch), 1e-9 * 1e4);
        Assert.Equal(bound, kernel.PandelLlh(PandelVariant.Mpe, a.Truth, arrays.AsBatch()));
        kernel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kernel.PandelLlh(PandelVariant.Mpe, a.Truth, a.Batch));
    }

    public static TheoryData<CudaArchitecture, CudaInstructionSet> Architectures => new()
    {
        { CudaArchitecture.SM_80, CudaInstructionSet.ISA_70 },
        { CudaArchitecture.SM_90, CudaInstructionSet.ISA_78 },
    };

    /// <summary>The PTX compile needs no GPU: the same C# compiles for the data-centre architectures, with no atomics.</summary>
    [Theory]
    [MemberData(nameof(Architectures))]
    public void Kernels_compile_to_ptx_offline(CudaArchitecture architecture, CudaInstructionSet isa)
    {
        using var context = IlgpuContexts.CreateOffline();
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, isa, null);
        // ILGPU targets the lowest architecture with the capabilities a device has (sm_80 PTX runs on sm_90 by JIT).
        var target = new CudaCapabilityContext(architecture).TargetArchitecture;
        Assert.True(target <= architecture);
        foreach (var (method, grouped) in new[] { (nameof(PandelKernels.Llh), true), (nameof(PandelKernels.Terms), false) })
        {
            var info = typeof(PandelKernels).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!;
            var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(info) : EntryPointDescription.FromImplicitlyGroupedKernel(info);
            var ptx = ((PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
            output.WriteLine($"{method} {architecture}: {ptx.Length} characters of PTX; {string.Join(" / ", ptx.Split('\n').Where(l => l.StartsWith(".target", StringComparison.Ordinal) || l.StartsWith(".version", StringComparison.Ordinal)))}");
            Assert.Contains($".version {isa}", ptx, StringComparison.Ordinal);
            Assert.Contains($".target {target.ToString().ToLowerInvariant()}", ptx, StringComparison.Ordinal);
            Assert.Contains(".f64", ptx, StringComparison.Ordinal);
            Assert.DoesNotContain("atom.", ptx, StringComparison.Ordinal);
            if (grouped)
            {
                Assert.Contains(".shared", ptx, StringComparison.Ordinal);
                Assert.Contains("bar.sync", ptx, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Device_selection_explains_what_is_missing()
    {
        var devices = IlgpuDevices.List();
        output.WriteLine(devices.Count == 0 ? $"no GPU: {IlgpuDevices.UnavailableReason}" : string.Join(Environment.NewLine, devices));
        Assert.Equal(devices.Any(d => d.Usable), IlgpuDevices.UnavailableReason is null);
        Assert.False(IlgpuDevices.TrySelect("skymap-no-such-device", out _, out var reason));
        Assert.Contains("skymap-no-such-device", reason, StringComparison.Ordinal);
        Assert.False(IlgpuDevices.TrySelect("999", out _, out reason));
        Assert.Contains("names no ILGPU device", reason, StringComparison.Ordinal);
        if (IlgpuDevices.UnavailableReason is { } why)
        {
            Assert.False(IlgpuDevices.TrySelect(null, out _, out reason));
            Assert.Equal(why, reason);
            var e = Assert.Throws<NotSupportedException>(() => LikelihoodKernels.Create(KernelKind.Ilgpu));
            Assert.Contains("no usable GPU", e.Message, StringComparison.Ordinal);
            Assert.IsNotType<IlgpuLikelihoodKernel>(LikelihoodKernels.CreateForBatches(KernelKind.Auto));
        }
        else
        {
            Assert.IsType<IlgpuLikelihoodKernel>(LikelihoodKernels.CreateForBatches(KernelKind.Auto));
        }

        // Auto never picks a GPU for one-at-a-time fits.
        Assert.IsNotType<IlgpuLikelihoodKernel>(LikelihoodKernels.Create(KernelKind.Auto));
        Assert.Equal(KernelKind.IlgpuCpu, LikelihoodKernels.Create(KernelKind.IlgpuCpu).Kind);
    }

    [Theory]
    [InlineData("auto", (int)KernelKind.Auto)]
    [InlineData("Scalar", (int)KernelKind.Scalar)]
    [InlineData("simd", (int)KernelKind.Simd)]
    [InlineData("ILGPU", (int)KernelKind.Ilgpu)]
    [InlineData(" ilgpu-cpu ", (int)KernelKind.IlgpuCpu)]
    public void Kernel_names_parse_and_format(string text, int kindValue)
    {
        var kind = (KernelKind)kindValue;
        Assert.Equal(kind, LikelihoodKernels.Parse(text));
        Assert.Equal(kind, LikelihoodKernels.Parse(LikelihoodKernels.Format(kind)));
        var e = Assert.Throws<ArgumentException>(() => LikelihoodKernels.Parse("opencl"));
        Assert.Contains("ilgpu-cpu", e.Message, StringComparison.Ordinal);
    }
}
