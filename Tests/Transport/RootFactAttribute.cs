using M3Actors.Transport.Native;
using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>A fact that needs root (e.g. to give a file to another uid); skipped, with the reason, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (LinuxSys.GetEuid() != 0) Skip = "needs root: only root can give a file to another user";
    }
}
