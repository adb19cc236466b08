using LowRank.Training;
using ScottPlot;

namespace LowRank.Plotting;

/// <summary>Plots of a fit's progress.</summary>
public static class TrainingPlots
{
    /// <summary>
    /// The learning curve: objective per epoch (line) with the periodic evaluations (markers) above the
    /// learning rate per epoch (log10). Renders with any number of epochs, including none.
    /// </summary>
    public static void SaveLearningCurve(string path, TrainingSummary summary, string title)
    {
        ArgumentNullException.ThrowIfNull(summary);
        double[] epochs = Enumerable.Range(1, summary.Epochs).Select(e => (double)e).ToArray();

        var objective = new Plot();
        objective.Title($"{title}: objective per epoch");
        objective.XLabel("epoch");
        objective.YLabel("ELBO per step");
        if (summary.Epochs > 0)
        {
            var line = objective.Add.ScatterLine(epochs, summary.Objective.ToArray());
            line.LegendText = "training batches (mean)";
        }

        if (summary.Evaluations.Count > 0)
        {
            var points = objective.Add.ScatterPoints(
                summary.Evaluations.Select(p => (double)p.Epoch).ToArray(),
                summary.Evaluations.Select(p => p.Value).ToArray());
            points.LegendText = "evaluation (fixed windows)";
            points.MarkerSize = 7;
        }

        foreach (RollbackEvent rollback in summary.Rollbacks)
        {
            objective.Add.VerticalLine(rollback.Epoch + 1, color: Colors.Red);
        }

        if (summary.Epochs > 0 || summary.Evaluations.Count > 0)
        {
            objective.ShowLegend(Alignment.LowerRight);
        }

        var rate = new Plot();
        rate.Title("learning rate");
        rate.XLabel("epoch");
        rate.YLabel("log10 learning rate");
        if (summary.Epochs > 0)
        {
            rate.Add.ScatterLine(epochs, summary.LearningRate.Select(Math.Log10).ToArray());
        }

        Figure.SavePng(path, [objective, rate], columns: 1, panelWidth: 900, panelHeight: 320);
    }
}
