using Skymap.Core.Scanning;
using Skymap.Transport.Contract;
using Skymap.Transport.Processes;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>The contract against the multi-process transport with two real worker processes.</summary>
public sealed class ProcessPoolContractTests : DispatcherContractTests
{
    protected override IPixelDispatcher CreateDispatcher(ScanStartup startup) =>
        new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });
}
