using System.Reflection;
using IoSys.Devices.Edu;

namespace IoSys.Samples.Edu.Tests;

/// <summary>Device definitions sit below their simulations: the driver and the definitions never need the simulator.</summary>
public sealed class LayeringTests
{
    private static string[] References(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    [Fact]
    public void TheDeviceDefinitionsDependOnTheCoreOnly()
    {
        string[] references = References(typeof(EduRegisterBlock).Assembly);
        Assert.Contains("IoSys", references);
        Assert.DoesNotContain(references, r => r.StartsWith("IoSys.", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDriverNeedsNoSimulation()
    {
        string[] references = References(typeof(EduDriver).Assembly);
        Assert.Contains("IoSys.Devices", references);
        Assert.DoesNotContain("IoSys.Simulation", references);
    }

    [Fact]
    public void TheSimulationIsBuiltFromTheDefinitions()
    {
        Assert.Contains("IoSys.Devices", References(typeof(IoSys.Simulation.EduDevice).Assembly));
        Assert.Equal("IoSys.Devices.Edu", typeof(EduRegisters).Namespace);
    }
}
