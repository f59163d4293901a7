using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>The engine's view of the native runtime: one-line user errors instead of loader exceptions.</summary>
public static class Runtime
{
    public static NativeRuntimeInfo Initialize()
    {
        try
        {
            return NativeRuntime.Initialize();
        }
        catch (NativeRuntimeException e)
        {
            throw new SleepingLlmException(e.Message, e);
        }
    }
}
