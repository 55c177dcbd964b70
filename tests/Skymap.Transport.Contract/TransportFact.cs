using Xunit.Abstractions;
using Xunit.Sdk;

namespace Skymap.Transport.Contract;

/// <summary>A class-level condition under which <see cref="TransportFactAttribute"/> tests are skipped.</summary>
public interface ISkipCondition
{
    /// <summary>Null to run, else why the tests are skipped.</summary>
    string? SkipReason { get; }
}

/// <summary>
/// A contract test: skipped when its class carries an <see cref="ISkipCondition"/> whose reason is not null (e.g. no broker
/// reachable), unless <c>SKYMAP_REQUIRE_ALL=1</c>, where it runs (and fails) so that CI never hides a skipped part.
/// </summary>
[XunitTestCaseDiscoverer("Skymap.Transport.Contract.TransportFactDiscoverer", "Skymap.Transport.Contract")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class TransportFactAttribute : FactAttribute
{
}

/// <summary>The discoverer of <see cref="TransportFactAttribute"/>.</summary>
public sealed class TransportFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new(diagnosticMessageSink);

    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var type = testMethod.TestClass.Class.ToRuntimeType();
        var reason = type.GetCustomAttributes(inherit: true).OfType<ISkipCondition>().Select(c => c.SkipReason).FirstOrDefault(r => r is not null);
        if (reason is not null && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return _inner.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
