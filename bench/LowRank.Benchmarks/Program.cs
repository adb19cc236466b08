using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace LowRank.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet suites (<c>dotnet run -c Release -- --filter *Vsmc*</c>), or <c>--quick</c>: a few
    /// seconds of thread-CPU-time figures for the VSMC kernels, for a machine too busy for BenchmarkDotNet.
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--quick")
        {
            Quick();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Quick()
    {
        var left = new float[512];
        var right = new float[512];
        left.AsSpan().Fill(0.5f);
        right.AsSpan().Fill(0.25f);
        float sink = 0;
        Time("calibration: one 512-float dot product", 200000, () => sink += System.Numerics.Tensors.TensorPrimitives.Dot(left, right));
        var suite = new VsmcKernelBenchmarks();
        suite.Setup();
        Time("transition forward (one particle)", 200000, () => suite.TransitionForward());
        Time("transition backward (one particle)", 200000, () => suite.TransitionBackward());
        Time("sequence forward (T = 50, K = 10)", 200, () => suite.SequenceForward());
        Time("sequence forward + backward", 200, () => suite.SequenceForwardBackward());
        Time("batch objective + gradient (B = 10, 1 thread)", 50, () => suite.BatchObjectiveAndGradient());
        var rng = LowRank.Numerics.Rng.Create(1);
        var buffer = new double[1500];
        Time("1500 Gaussian draws (one sequence's ε)", 2000, () => rng.FillGaussian(buffer));
    }

    private static void Time(string name, int repetitions, Action action)
    {
        for (int i = 0; i < Math.Max(10, repetitions / 10); i++)
        {
            action();
        }

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < repetitions; i++)
        {
            action();
        }

        double wall = Stopwatch.GetElapsedTime(start).TotalMicroseconds / repetitions;
        double used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / repetitions;
        Console.WriteLine($"{name,-50} cpu {used,10:0.0} µs   wall {wall,10:0.0} µs");
    }
}
