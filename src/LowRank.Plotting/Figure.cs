using LowRank.Formats;
using ScottPlot;
using SkiaSharp;

namespace LowRank.Plotting;

/// <summary>Renders one or more ScottPlot panels into a single PNG, written atomically.</summary>
public static class Figure
{
    /// <summary>Saves <paramref name="panels"/> in a grid of <paramref name="columns"/> columns, row by row.</summary>
    public static void SavePng(string path, IReadOnlyList<Plot> panels, int columns = 1, int panelWidth = 900, int panelHeight = 300)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("a figure needs at least one panel.", nameof(panels));
        }

        int rows = (panels.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(columns * panelWidth, rows * panelHeight))
            ?? throw new InvalidOperationException("could not allocate a drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            // Each panel renders on its own surface: a plot fills its whole canvas with its background.
            using var panel = SKSurface.Create(new SKImageInfo(panelWidth, panelHeight))
                ?? throw new InvalidOperationException("could not allocate a drawing surface.");
            panels[i].Render(panel.Canvas, panelWidth, panelHeight);
            using SKImage snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, i % columns * panelWidth, i / columns * panelHeight);
        }

        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        byte[] bytes = data.ToArray();
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
