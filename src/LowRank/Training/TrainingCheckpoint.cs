using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LowRank.Formats;
using static LowRank.InputException;

namespace LowRank.Training;

/// <summary>
/// Everything needed to continue a fit bit-identically: θ, the optimiser state, the epoch (which fixes
/// the random streams), the learning-rate scale and rollback count, and the summary so far.
/// </summary>
/// <remarks>
/// File layout (little-endian, written atomically): magic <c>LRCK</c>, format version, the
/// configuration fingerprint (<see cref="RunFingerprint"/>, which must match on resume), epoch, rollbacks,
/// learning-rate scale, optimiser step count, then θ, m and v (each with its length), then the summary lists,
/// and last the SHA-256 of everything before it, verified on reading.
/// </remarks>
public sealed class TrainingCheckpoint
{
    private const uint Magic = 0x4B43524C; // "LRCK"
    private const int FormatVersion = 2;
    private const int ChecksumLength = 32;

    public TrainingCheckpoint(string fingerprint, int epoch, int rollbacks, double learningRateScale, long stepCount, double[] theta, double[] firstMoment, double[] secondMoment, TrainingSummary summary)
    {
        Fingerprint = fingerprint;
        Epoch = epoch;
        Rollbacks = rollbacks;
        LearningRateScale = learningRateScale;
        StepCount = stepCount;
        Theta = theta;
        FirstMoment = firstMoment;
        SecondMoment = secondMoment;
        Summary = summary;
    }

    /// <summary>Describes the options the checkpoint was written with; a resume must match it.</summary>
    public string Fingerprint { get; }

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; }

    /// <summary>Rollbacks so far (part of the random stream of each epoch).</summary>
    public int Rollbacks { get; }

    /// <summary>Factor on the scheduled learning rate (1, halved at every rollback).</summary>
    public double LearningRateScale { get; }

    /// <summary>Optimiser steps taken.</summary>
    public long StepCount { get; }

    public double[] Theta { get; }

    public double[] FirstMoment { get; }

    public double[] SecondMoment { get; }

    public TrainingSummary Summary { get; }

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    public void Write(string path)
    {
        using var body = new MemoryStream();
        WriteBody(body);
        byte[] checksum = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(body.GetBuffer(), 0, (int)body.Length);
            stream.Write(checksum);
        });
    }

    private void WriteBody(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Fingerprint);
        w.Write(Epoch);
        w.Write(Rollbacks);
        w.Write(LearningRateScale);
        w.Write(StepCount);
        WriteArray(w, Theta);
        WriteArray(w, FirstMoment);
        WriteArray(w, SecondMoment);
        WriteArray(w, Summary.Objective);
        WriteArray(w, Summary.LearningRate);
        WriteArray(w, Summary.WallSeconds);
        w.Write(Summary.Evaluations.Count);
        foreach (EvaluationPoint point in Summary.Evaluations)
        {
            w.Write(point.Epoch);
            w.Write(point.Value);
        }

        w.Write(Summary.Rollbacks.Count);
        foreach (RollbackEvent rollback in Summary.Rollbacks)
        {
            w.Write(rollback.Epoch);
            w.Write(rollback.Batch);
            w.Write(rollback.RestoredEpoch);
            w.Write(rollback.LearningRateScale);
            w.Write(rollback.Reason);
        }
    }

    /// <summary>Reads a checkpoint; a missing, truncated or foreign file is an <see cref="InputException"/>.</summary>
    public static TrainingCheckpoint Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"no checkpoint to resume from: '{path}' does not exist.", $"run the fit without {Ref("Resume")} first, or pass the {Ref("Out")} directory of an interrupted fit.");
        }

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            throw new InputException($"'{path}' is not a lowrank training checkpoint.", $"delete it and start the fit again without {Ref("Resume")}.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (version != FormatVersion)
        {
            throw new InputException(
                $"the checkpoint '{path}' has format version {version}; this build reads version {FormatVersion}.",
                $"finish the fit with the lowrank version that started it, or start it again without {Ref("Resume")}.");
        }

        int bodyLength = bytes.Length - ChecksumLength;
        if (bodyLength < 8 || !SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
        {
            throw new InputException(
                $"the checkpoint '{path}' is damaged: its SHA-256 checksum does not match its contents.",
                $"the file was changed or corrupted after it was written; start the fit again without {Ref("Resume")}.");
        }

        try
        {
            using var stream = new MemoryStream(bytes, 8, bodyLength - 8, writable: false);
            using var r = new BinaryReader(stream, Encoding.UTF8);

            string fingerprint = r.ReadString();
            int epoch = r.ReadInt32();
            int rollbacks = r.ReadInt32();
            double scale = r.ReadDouble();
            long steps = r.ReadInt64();
            double[] theta = ReadArray(r), m = ReadArray(r), v = ReadArray(r);
            var summary = new TrainingSummary();
            summary.Objective.AddRange(ReadArray(r));
            summary.LearningRate.AddRange(ReadArray(r));
            summary.WallSeconds.AddRange(ReadArray(r));
            int evaluations = r.ReadInt32();
            for (int i = 0; i < evaluations; i++)
            {
                summary.Evaluations.Add(new EvaluationPoint(r.ReadInt32(), r.ReadDouble()));
            }

            int rollbackCount = r.ReadInt32();
            for (int i = 0; i < rollbackCount; i++)
            {
                summary.Rollbacks.Add(new RollbackEvent(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadString()));
            }

            return new TrainingCheckpoint(fingerprint, epoch, rollbacks, scale, steps, theta, m, v, summary);
        }
        catch (EndOfStreamException ex)
        {
            throw new InputException($"the checkpoint '{path}' is truncated.", $"delete it and start the fit again without {Ref("Resume")}.", ex);
        }
    }

    private static void WriteArray(BinaryWriter w, IReadOnlyList<double> values)
    {
        w.Write(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            w.Write(values[i]);
        }
    }

    private static double[] ReadArray(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < 0 || count > r.BaseStream.Length / sizeof(double))
        {
            throw new EndOfStreamException();
        }

        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = r.ReadDouble();
        }

        return values;
    }
}
