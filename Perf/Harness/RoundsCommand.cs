using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace M3Actors.Perf.Harness;

/// <summary>
/// <c>rounds &lt;Class[.Method]&gt; &lt;pairs&gt; &lt;invocations&gt; [Param=value ...]</c>: runs one benchmark case
/// in this process without BenchmarkDotNet — its global setup, the benchmark method the given number of times, its cleanup — and
/// prints the operations done, the wall time per operation and, per operation, the context switches and CPU time
/// of this process and of its child processes (the cross-process peers), counted from <c>/proc</c> around the
/// measured loop. Counts
/// are what a box shared with other work does not disturb the way it disturbs timings; run it under
/// <c>perf stat -e syscalls:sys_enter_futex</c> with two invocation counts and take the difference for the system
/// calls per operation (or <c>-e instructions:u</c> for the instructions per operation). Further parameters of the
/// case (e.g. <c>Dispatcher=affinity-static-same-vcpu</c>) are set before its setup. Linux only; returns 0, or 2 on
/// bad arguments.
/// </summary>
public static class RoundsCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args is not [var name, var pairsText, var invocationsText, .. var parameters]
            || !int.TryParse(pairsText, CultureInfo.InvariantCulture, out var pairs)
            || !int.TryParse(invocationsText, CultureInfo.InvariantCulture, out var invocations)
            || pairs < 1 || invocations < 1
            || Find(name) is not var (type, method))
        {
            Console.Error.WriteLine(
                "usage: rounds <Class[.Method]> <pairs> <invocations> [Param=value ...]   (a benchmark class of Perf)");
            return 2;
        }
        var operations = (long)invocations * (method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
        var instance = Activator.CreateInstance(type)!;
        type.GetProperty("Pairs")?.SetValue(instance, pairs);
        foreach (var parameter in parameters)
        {
            if (!TrySet(instance, parameter))
            {
                Console.Error.WriteLine($"rounds: '{parameter}' is not Param=value for a settable property of {type.Name}");
                return 2;
            }
        }
        Invoke<GlobalSetupAttribute>(instance);
        try
        {
            var before = Switches();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < invocations; i++) method.Invoke(instance, null);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var after = Switches();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{type.Name}.{method.Name} pairs={pairs}: {operations} ops, "
                + $"{elapsed.TotalMicroseconds / operations:F2} µs/op"));
            foreach (var (pid, (voluntary, forced, cpu)) in after)
            {
                var (v0, f0, cpu0) = before.GetValueOrDefault(pid);
                var who = pid == Environment.ProcessId ? "this" : "child";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pid {pid} ({who}): per op: "
                    + $"voluntary context switches {(double)(voluntary - v0) / operations:F2}, "
                    + $"involuntary {(double)(forced - f0) / operations:F2}, "
                    + $"CPU {(cpu - cpu0) * 1e6 / operations:F2} µs"));
            }
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(instance);
        }
        return 0;
    }

    private static (Type Type, MethodInfo Method)? Find(string name)
    {
        var (className, methodName) = name.Split('.') is [var c, var m] ? (c, m) : (name, null);
        var type = BenchmarkCatalog.All().FirstOrDefault(t => t.Name == className);
        var method = type?.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null
                && (methodName is null || m.Name == methodName));
        return type is null || method is null ? null : (type, method);
    }

    private static bool TrySet(object instance, string parameter)
    {
        if (parameter.Split('=', 2) is not [var name, var text]
            || instance.GetType().GetProperty(name) is not { CanWrite: true } property)
        {
            return false;
        }
        property.SetValue(instance, Convert.ChangeType(text, property.PropertyType, CultureInfo.InvariantCulture));
        return true;
    }

    private static void Invoke<TAttribute>(object instance) where TAttribute : Attribute =>
        instance.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.GetCustomAttribute<TAttribute>() is not null)?.Invoke(instance, null);

    // Voluntary and involuntary context switches summed over every thread, and CPU seconds, of this process and of
    // each of its children.
    private static Dictionary<int, (long Voluntary, long Forced, double Cpu)> Switches()
    {
        var pids = new List<int> { Environment.ProcessId };
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            var children = File.ReadAllText(Path.Combine(task, "children"));
            pids.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)));
        }
        return pids.Distinct().ToDictionary(pid => pid, ProcessSwitches);
    }

    private static (long, long, double) ProcessSwitches(int pid)
    {
        // utime and stime (fields 14 and 15 of /proc/<pid>/stat, after the parenthesised name) in clock ticks of
        // 1/100 s, the USER_HZ of every Linux build .NET runs on.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture)
            + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        long voluntary = 0, forced = 0;
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            foreach (var line in File.ReadLines(Path.Combine(task, "status")))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary += Value(line);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    forced += Value(line);
                }
            }
        }
        return (voluntary, forced, cpu);
    }

    private static long Value(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
}
