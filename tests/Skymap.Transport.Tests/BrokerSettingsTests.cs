using Skymap.Transport.RabbitMq;

namespace Skymap.Transport.Tests;

public class BrokerSettingsTests
{
    [Theory]
    [InlineData("amqp://rabbit.example.org:5673/skymap", "rabbit.example.org", 5673, "skymap")]
    [InlineData("amqp://localhost/", "localhost", 5672, "/")]
    [InlineData("amqp://localhost/%2f", "localhost", 5672, "/")]
    [InlineData("rabbit:1234", "rabbit", 1234, "/")]
    [InlineData("rabbit", "rabbit", 5672, "/")]
    [InlineData("amqps://secure.example.org/vh", "secure.example.org", 5671, "vh")]
    [InlineData(null, "localhost", 5672, "/")]
    public void Addresses_parse(string? address, string host, int port, string vhost)
    {
        var s = BrokerSettings.Parse(address);
        Assert.Equal((host, port, vhost), (s.Host, s.Port, s.VirtualHost));
        Assert.Equal("guest", s.UserName);
    }

    [Fact]
    public void Credentials_come_from_auth_and_never_appear_in_text()
    {
        var s = BrokerSettings.Parse("amqp://u0:urlpass@host:5672/v", "skymap:s3cr3t:with:colons");
        Assert.Equal("skymap", s.UserName);
        Assert.Equal("s3cr3t:with:colons", s.Password);
        Assert.Equal("amqp://skymap@host:5672/v", s.ToString());
        Assert.DoesNotContain("s3cr3t", s.ToString(), StringComparison.Ordinal);

        var fromUrl = BrokerSettings.Parse("amqp://u0:urlpass@host:5672/v");
        Assert.Equal(("u0", "urlpass"), (fromUrl.UserName, fromUrl.Password));
        Assert.DoesNotContain("urlpass", fromUrl.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_is_reported_without_the_password()
    {
        var e = Assert.Throws<ArgumentException>(() => BrokerSettings.Parse("http://u:topsecret@host/"));
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
        var a = Assert.Throws<ArgumentException>(() => BrokerSettings.Parse("host", "no-colon-secret"));
        Assert.DoesNotContain("no-colon-secret", a.Message, StringComparison.Ordinal);
    }
}

public class WorkerLaunchTests
{
    [Fact]
    public void The_current_process_relaunches_itself_as_a_stdio_worker()
    {
        var l = Processes.WorkerLaunch.CurrentProcess();
        Assert.Equal(Environment.ProcessPath, l.FileName);
        Assert.Equal(["worker", "--stdio"], l.Arguments.TakeLast(2));
        if (Path.GetFileNameWithoutExtension(l.FileName) == "dotnet")
        {
            Assert.EndsWith(".dll", l.Arguments[0], StringComparison.Ordinal);
            Assert.True(Path.IsPathRooted(l.Arguments[0]));
        }
    }

    [Fact]
    public void A_dotnet_launch_runs_the_assembly_with_the_host()
    {
        var l = Processes.WorkerLaunch.Dotnet("skymap.dll");
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(l.FileName));
        Assert.Equal([Path.GetFullPath("skymap.dll"), "worker", "--stdio"], l.Arguments);
    }
}
