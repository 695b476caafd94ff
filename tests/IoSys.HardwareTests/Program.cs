using System.Runtime.InteropServices;
using IoSys.HardwareTests;

// iosys-hwtests [--only PREFIX]: runs every scenario against the guest's real devices and prints PASS/FAIL/SKIP lines.
// iosys-hwtests --raw-unaligned-read: the child of fault.raw-unaligned-read (one raw unaligned read of edu's BAR).
// iosys-hwtests --driver-scenario NAME: the child that runs one edu driver scenario (driver.NAME).
// Exit status: 0 all passed or skipped, 1 a scenario failed.
if (args is [FaultDemo.ChildCommand])
{
    return FaultDemo.RunChild();
}

if (args is [EduDriverScenarioTests.ChildCommand, var scenario])
{
    var childRunner = new Runner("driver." + scenario, exact: true);
    EduDriverScenarioTests.Register(childRunner, new Guest(), isolatedChild: true);
    return childRunner.Failed == 0 ? 0 : 1;
}

string? only = args is ["--only", var prefix] ? prefix : null;
if (args.Length > 0 && only is null)
{
    Console.Error.WriteLine($"usage: iosys-hwtests [--only PREFIX] | {FaultDemo.ChildCommand} | {EduDriverScenarioTests.ChildCommand} NAME");
    return 2;
}

var guest = new Guest();
var runner = new Runner(only);
Runner.Note($"iosys-hwtests on {RuntimeInformation.ProcessArchitecture} ({RuntimeInformation.OSDescription}), .NET {Environment.Version} " +
            $"({(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled ? "JIT" : "NativeAOT")}); " +
            $"edu {guest.EduPci ?? "-"} ({guest.EduUio ?? "no uio"}), ivshmem {guest.IvshmemPci ?? "-"}");
EduTests.Register(runner, guest);
DmaTests.Register(runner, guest);
IvshmemTests.Register(runner, guest);
FaultDemo.Register(runner, guest);
EduDriverScenarioTests.Register(runner, guest);
OrderingTests.Register(runner, guest);
VfioScenarios.Register(runner, guest); // only in the VFIO boot (IOSYS_VFIO=1)
VfioResetScenarios.Register(runner, guest); // only in the VFIO boot, from payload/vfio-reset.sh
Runner.Note($"iosys-hwtests: {runner.Passed} passed, {runner.Failed} failed, {runner.Skipped} skipped");
return runner.Failed == 0 ? 0 : 1;
