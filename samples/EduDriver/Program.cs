using IoSys.Samples.Edu;
using IoSys.Samples.Edu.Demo;

// edu-demo TARGET: runs every edu scenario the target supports; one PASS/FAIL/SKIP line each; exit 0 only if all that
// ran passed, 1 if one failed, 2 if the target could not be opened or the command line is wrong.
if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: edu-demo TARGET   (sim:edu, uio:N or uio:NAME, vfio:ADDR or vfio:vvvv:dddd)");
    return args.Length == 1 ? 0 : 2;
}

IEduTarget target;
try
{
    target = EduTargets.Open(args[0]);
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
{
    Console.Error.WriteLine($"edu-demo: cannot open {args[0]}: {e.Message}");
    return 2;
}

using (target)
{
    return EduDemo.Run(target, Console.Out);
}
