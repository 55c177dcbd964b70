using Xunit.Abstractions;
using Xunit.Sdk;

namespace Skymap.Driver.Tests.Support;

/// <summary>A condition on a test class (e.g. a reachable PostgreSQL); its tests are skipped while it holds a reason, unless SKYMAP_REQUIRE_ALL=1.</summary>
public interface ISkipCondition
{
    string? SkipReason { get; }
}

/// <summary>The class's tests need PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsPostgresAttribute : Attribute, ISkipCondition
{
    public string? SkipReason => Postgres.Unavailable;
}

/// <summary>A fact honouring the class's <see cref="ISkipCondition"/> (so one base class serves several storage providers).</summary>
[XunitTestCaseDiscoverer("Skymap.Driver.Tests.Support.DriverFactDiscoverer", "Skymap.Driver.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DriverFactAttribute : FactAttribute
{
}

public sealed class DriverFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new(diagnosticMessageSink);

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
