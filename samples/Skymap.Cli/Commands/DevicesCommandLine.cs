using System.CommandLine;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap devices</c>.</summary>
internal static class DevicesCommandLine
{
    public static Command Create()
    {
        var cmd = new Command("devices", "List the likelihood kernels available here (scalar, SIMD width, ILGPU GPU devices, the ILGPU CPU accelerator) and which one auto picks.");
        cmd.SetAction(_ => DevicesCommandHandler.Run(Console.Out));
        return cmd;
    }
}
