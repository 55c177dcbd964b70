using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Internal;

namespace Skymap.Core.Tests.Likelihood;

public class KernelStackPhaseTests
{
    [Theory]
    [MemberData(nameof(PandelKernelTests.LaneCounts), MemberType = typeof(PandelKernelTests))]
    public void Every_stack_phase_gives_bit_identical_llh_and_terms(int lanes)
    {
        var kernel = new SimdLikelihoodKernel(lanes);
        var doms = SyntheticDoms.Create(5, 301);
        var rng = new Random(11);
        var terms = new double[doms.X.Length];
        var other = new double[doms.X.Length];
        for (var i = 0; i < 30; i++)
        {
            var h = i == 0 ? doms.Truth : doms.RandomHypothesis(rng, 150, 30, 300);
            foreach (var mpe in new[] { false, true })
            {
                var reference = kernel.PandelLlh(mpe ? PandelVariant.Mpe : PandelVariant.Spe, h, doms.Batch);
                Assert.True(double.IsFinite(reference));
                kernel.AtPhase(KernelStackPhase.Phases[0], mpe, h, doms.Batch, terms);
                foreach (var phase in KernelStackPhase.Phases)
                {
                    Assert.Equal(reference, kernel.AtPhase(phase, mpe, h, doms.Batch, default));
                    kernel.AtPhase(phase, mpe, h, doms.Batch, other);
                    Assert.Equal(terms, other);
                }
            }
        }
    }

    [Fact]
    public void Padding_puts_the_next_frame_at_the_same_phase_from_any_address()
    {
        foreach (var phase in KernelStackPhase.Phases)
        {
            var landing = new HashSet<nuint>();
            for (nuint address = 4096; address < 4096 + 256; address++)
            {
                var pad = KernelStackPhase.Padding(address, phase);
                Assert.InRange(pad, 16, 64);
                Assert.Equal(0, pad % 16);
                landing.Add((address - (nuint)pad) & 48);
            }

            Assert.Single(landing);
        }

        // The four phases land on four different positions.
        var all = KernelStackPhase.Phases.Select(p => (4096 - (nuint)KernelStackPhase.Padding(4096, p)) & 48).ToHashSet();
        Assert.Equal(4, all.Count);
    }

    [Fact]
    public void Calibration_keeps_the_phase_whose_calls_are_fastest()
    {
        // A site of its own (id 7 is no kernel's), so the kernels' choices are not disturbed.
        var site = new KernelStackPhase(7);
        var chosen = site.Calibrate(phase =>
        {
            if (phase != 32)
            {
                Thread.SpinWait(200_000);
            }
        });

        Assert.Equal(32, chosen);
        Assert.Equal(32, site.Target);
    }

    [Fact]
    public void A_site_asks_for_calibration_after_1024_and_65536_calls_on_a_thread()
    {
        var asked = new List<int>();
        var thread = new Thread(() =>
        {
            var site = new KernelStackPhase(7);
            for (var i = 1; i <= 70_000; i++)
            {
                if (site.CountCall())
                {
                    asked.Add(i);
                }
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal([1024, 65536], asked);
    }
}
