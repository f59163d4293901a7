using SleepingLlm.Gguf;

namespace SleepingLlm.Tests.Gguf;

public class GgmlTypeTests
{
    [Fact]
    public void Type_table_matches_ggml()
    {
        Assert.Equal(new GgmlTypeTraits("q4_0", 32, 18, true), GgmlType.Q4_0.Traits());
        Assert.Equal(new GgmlTypeTraits("q4_1", 32, 20, true), GgmlType.Q4_1.Traits());
        Assert.Equal(new GgmlTypeTraits("q4_K", 256, 144, true), GgmlType.Q4_K.Traits());
        Assert.Equal(new GgmlTypeTraits("q6_K", 256, 210, true), GgmlType.Q6_K.Traits());
        Assert.Equal(new GgmlTypeTraits("iq4_xs", 256, 136, true), GgmlType.IQ4_XS.Traits());
        Assert.Equal(new GgmlTypeTraits("tq1_0", 256, 54, true), GgmlType.TQ1_0.Traits());
        Assert.Equal(new GgmlTypeTraits("mxfp4", 32, 17, true), GgmlType.MXFP4.Traits());
        Assert.Equal(new GgmlTypeTraits("bf16", 1, 2, false), GgmlType.BF16.Traits());
        Assert.Equal(35, GgmlTypes.All.Count);
        Assert.Equal(GgmlTypes.All.Count, GgmlTypes.All.Select(t => t.Name()).Distinct().Count());
        Assert.False(GgmlTypes.IsKnown((GgmlType)4));
        Assert.Equal("type4", ((GgmlType)4).Name());
        Assert.Equal(20L * 3, GgmlType.Q4_1.TryGetByteSize(96));
        Assert.Null(GgmlType.Q4_1.TryGetByteSize(33));
    }
}
