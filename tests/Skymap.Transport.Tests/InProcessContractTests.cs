using Skymap.Core.Scanning;
using Skymap.Transport.InProcess;
using Skymap.Transport.Contract;

namespace Skymap.Transport.Tests;

/// <summary>The contract against the in-process transport with two workers.</summary>
public sealed class InProcessContractTests : DispatcherContractTests
{
    protected override IPixelDispatcher CreateDispatcher(ScanStartup startup) => new InProcessDispatcher(2);
}
