using LowRank;
using LowRank.Data;
using LowRank.RateNetworks;
using LowRank.Tasks;
using LowRank.Training;

// Trains a rank-2 delayed-match-to-sample network for docs/benchmarks-populations.md with the LINT trainer
// (BpttTrainer), starting from a "memory prior": Ñ = g M + Ñ₀ (σ_nm ≈ g I), so each κ_r can hold the first
// stimulus through the delay from the start. From the trainer's default start (σ_nm ≈ 0) the loss stays on the
// match/non-match plateau (loss 1.0, accuracy 0.5) within the budget we could spend.
// Usage: dotnet run -c Release -- UNITS GAIN EPOCHS SEED OUT_DIR [LR]
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: UNITS GAIN EPOCHS SEED OUT_DIR [LR]");
    return 2;
}

int units = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
double gain = double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
int epochs = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
long seed = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
string outDir = args[4];
double learningRate = args.Length > 5 ? double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 0.01;

var task = new DelayedMatchToSampleTask();
var spec = new RateNetworkSpec(units, 2, task.Inputs, task.Outputs, CognitiveTask.Alpha, 0.05, ReadoutKind.Tanh);
RateNetwork network = RateNetwork.CreateRandom(spec, seed);
Span<double> m = network.Layout.M.Of<double>(network.Theta);
Span<double> n = network.Layout.NTilde.Of<double>(network.Theta);
for (int i = 0; i < m.Length; i++)
{
    n[i] += gain * m[i];
}

Trial[] train = task.GenerateMany(seed, 0, 128);
Trial[] validation = task.GenerateMany(seed, 1L << 32, 64);
var options = new BpttOptions(
    epochs, 32, learningRate, 1.0,
    ParameterGroups.M | ParameterGroups.NTilde | ParameterGroups.InputWeights | ParameterGroups.OutputWeights,
    seed, 1);
(double[] theta, TrainingSummary summary, _) = RateNetworkTraining.Train(network.Layout, network.Theta, train, [], options, validation, new ConsoleLines());
var trained = new RateNetwork(spec, theta);
double accuracy = TaskTrainer.Accuracy(trained, task, TaskTrainer.EvaluationTrialsOf(task, 256), 1);
Console.WriteLine($"loss {summary.InitialLoss:G4} -> {summary.BestLoss:G4} (best epoch {summary.BestEpoch})  accuracy {accuracy:F4} on 256 trials  {summary.Seconds:F0} s");
RateNetworkStore.Save(outDir, trained, task.Name, new RateNetworkTrainingRecord(
    "task", summary.Epochs, summary.Steps, 32, learningRate, summary.InitialLoss, summary.BestLoss, summary.BestEpoch, summary.Seconds, accuracy, null, null, seed));
return 0;

internal sealed class ConsoleLines : IProgressSink
{
    public void Report(in ProgressUpdate update) => Console.WriteLine($"{update.Stage} {update.Done}/{update.Total} {update.Message}");
}
