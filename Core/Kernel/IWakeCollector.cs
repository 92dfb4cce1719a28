namespace M3Actors.Kernel;

/// <summary>
/// A port whose owner may hold the wakeups its own calls cause and issue them itself later (an endpoint actor holds
/// them until its handler is receiving again). Called only on the owner's thread, during its own primitive.
/// </summary>
internal interface IWakeCollector
{
    /// <summary>
    /// True when <paramref name="woken"/>'s wakeup is now the collector's to issue; false to wake it now.
    /// </summary>
    bool TryCollect(IEndpointPort woken);
}
