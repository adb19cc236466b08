using LowRank.Training;

namespace LowRank.Tests.Training;

public sealed class RunFingerprintTests
{
    [Fact]
    public void FlattensNestedValuesIntoDottedNames()
    {
        var value = new { Model = new { Units = 9, Rank = 2 }, Holdout = (double?)null, Ranks = new[] { 1, 3 }, Name = "a=b" };
        Assert.Equal(
            "model.units=9\nmodel.rank=2\nholdout=null\nranks[0]=1\nranks[1]=3\nname=\"a=b\"",
            RunFingerprint.Of(RunFingerprint.Flatten(value)));
    }

    [Fact]
    public void DifferencesNameEachSettingOnceInOrder()
    {
        string written = "trainer.epochs=10\nmodel.units=9\nname=\"a=b\"\nold=1";
        string current = "trainer.epochs=10\nmodel.units=12\nname=\"a=c\"\nnew=2";
        Assert.Equal(
            ["model.units: 9 in the checkpoint, 12 now", "name: \"a=b\" in the checkpoint, \"a=c\" now", "old: 1 in the checkpoint, absent now", "new: absent in the checkpoint, 2 now"],
            RunFingerprint.Differences(written, current));
        Assert.Empty(RunFingerprint.Differences(written, written));
    }

    [Fact]
    public void ALaterLineOverridesAnEarlierOneOfTheSameName() =>
        Assert.Empty(RunFingerprint.Differences("trainer.epochs=10\ntrainer.epochs=12", "trainer.epochs=12"));
}
