using System.Collections.Concurrent;

namespace IoSys.Tests.Units;

/// <summary>
/// Smoke test of Dispose racing with accesses and with window creation: every access either succeeds or throws
/// ObjectDisposedException; nothing else is thrown and the process does not crash. Afterwards every map over the
/// memory, including windows created during the race, refuses access.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Rounds = 25;
    private const int WindowsKeptPerRound = 256;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Accesses_racing_with_dispose_either_succeed_or_throw_ObjectDisposedException(bool io)
    {
        var unexpected = new ConcurrentQueue<Exception>();
        var lateWindows = new List<IoSysMap>();
        for (int round = 0; round < Rounds; round++)
        {
            IoSysMap owner = IoSysMap.Allocate(0x1000, io ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
            IoSysMap shared = owner.Slice(0x100, 0x800);
            var recent = new IoSysMap?[WindowsKeptPerRound]; // the windows made just before and during Dispose
            using var stop = new CancellationTokenSource();
            using var started = new CountdownEvent(3);
            int seed = round;
            Thread[] workers =
            [
                new(() => Hammer(owner, seed, started, unexpected, stop.Token)),
                new(() => Hammer(shared, -seed, started, unexpected, stop.Token)),
                new(() => SliceRepeatedly(owner, recent, started, unexpected, stop.Token)),
            ];
            foreach (Thread worker in workers)
            {
                worker.Start();
            }

            started.Wait();
            Thread.Sleep(round % 4);
            owner.Dispose();
            Thread.Sleep(1);
            stop.Cancel();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            Assert.Throws<ObjectDisposedException>(() => owner.Read32(0));
            Assert.Throws<ObjectDisposedException>(() => shared.Write64(0, 1));
            lateWindows.AddRange(recent.OfType<IoSysMap>());
        }

        Assert.Empty(unexpected);
        string[] stillOpen = [.. lateWindows
            .Where(w => !w.IsDisposed || StillReads(w))
            .Select(w => $"{w} (IsDisposed={w.IsDisposed})")];
        Assert.True(stillOpen.Length == 0, $"{stillOpen.Length} of {lateWindows.Count} windows still usable after the owner was disposed, e.g. {stillOpen.FirstOrDefault()}");
    }

    private static bool StillReads(IoSysMap window)
    {
        try
        {
            _ = window.Read32(0);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static void Hammer(IoSysMap map, int seed, CountdownEvent started, ConcurrentQueue<Exception> unexpected, CancellationToken stop)
    {
        var random = new Random(seed);
        byte[] buffer = new byte[64];
        started.Signal();
        while (!stop.IsCancellationRequested)
        {
            long offset = random.Next(0, (int)map.Size / 8 - 8) * 8;
            try
            {
                switch (random.Next(8))
                {
                    case 0: map.Write32(offset, (uint)offset); break;
                    case 1: _ = map.Read64(offset); break;
                    case 2: map.ReadBytes(offset, buffer); break;
                    case 3: map.WriteBytes(offset, buffer); break;
                    case 4: map.Fill(offset, 48, 0xAA); break;
                    case 5: map.CopyTo(offset, map, 0, 32); break;
                    case 6: _ = map.TryRead16(offset + 2, out _); break;
                    default: _ = map.Slice(offset, 16).Read8(3); break;
                }
            }
            catch (ObjectDisposedException)
            {
                // The one allowed failure once the owner is disposed.
            }
            catch (Exception e)
            {
                unexpected.Enqueue(e);
                return;
            }
        }
    }

    private static void SliceRepeatedly(IoSysMap owner, IoSysMap?[] recent, CountdownEvent started, ConcurrentQueue<Exception> unexpected, CancellationToken stop)
    {
        started.Signal();
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                recent[i % recent.Length] = owner.Slice(0x40, 0x40);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                unexpected.Enqueue(e);
                return;
            }
        }
    }
}
