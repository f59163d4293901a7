using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

public sealed class CheckpointsTests
{
    public static TheoryData<int, bool, int[]> Cases => new()
    {
        { 6, true, [6] },
        { 10, true, [10] },
        { 60, true, [10, 25, 50, 60] },
        { 200, true, [10, 25, 50, 100, 200] },
        { 500, true, [10, 25, 50, 100, 200, 400, 500] },
        { 200, false, [200] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_curve_measures_at_the_fixed_points_below_n_and_at_n(int count, bool curve, int[] expected) =>
        Assert.Equal(expected, Checkpoints.For(count, curve));
}
