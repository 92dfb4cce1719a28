using Xunit;

namespace M3Actors.Tests.Transport;

/// <summary>
/// A test class whose every test gets its own arena directory and this process's part of a shared VM in it
/// (<see cref="SharedVm"/>), ended and removed after the test whatever its outcome.
/// </summary>
public abstract class SharedVmTest : IAsyncLifetime
{
    /// <summary>The test's own arena directory (another test's arenas are never in it).</summary>
    protected ArenaDirectory Arenas { get; } = new();

    /// <summary>This process's part of the test's shared VM.</summary>
    protected SharedVm Shared { get; private set; } = null!;

    /// <inheritdoc />
    public Task InitializeAsync()
    {
        Shared = SharedVm.Attach(Arenas);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Shared.DisposeAsync();
        Arenas.Dispose();
    }
}
