using Akka.Actor;

namespace M3Actors.Actors;

/// <summary>
/// The Props <see cref="Vm.ActorOf(Props, string?)"/> gives an <see cref="EndpointActor"/>: the user's Props with the
/// rendezvous mailbox, plus the task through which the actor reports its bind. The slot an actor binds is known only
/// to its constructor, so <c>ActorOf</c> cannot check it beforehand; instead the constructor picks the task up here
/// (it runs inside <see cref="NewActor"/>, on the same thread) and PreStart completes it.
/// </summary>
internal sealed class BindingProps : Props
{
    [ThreadStatic]
    private static TaskCompletionSource<Endpoint>? _constructing;

    private readonly Props _inner;
    private readonly TaskCompletionSource<Endpoint>? _bound;

    private BindingProps(Props settings, Props inner, TaskCompletionSource<Endpoint>? bound) : base(settings)
    {
        _inner = inner;
        _bound = bound;
    }

    /// <summary>
    /// Wraps <paramref name="props"/>; <paramref name="bound"/> (when someone waits) gets the endpoint, the bind's
    /// <see cref="IpcException"/>, or <see cref="Endpoint.None"/> if the constructor failed (Akka reports that).
    /// </summary>
    internal static Props Of(Props props, TaskCompletionSource<Endpoint>? bound) =>
        new BindingProps(props, props, bound).WithMailbox(RendezvousMailbox.Id);

    /// <summary>Called by the <see cref="EndpointActor"/> constructor: the bind task of the actor being created, if any.</summary>
    internal static TaskCompletionSource<Endpoint>? TakeBindTask()
    {
        var bound = _constructing;
        _constructing = null;
        return bound;
    }

    /// <inheritdoc />
    public override ActorBase NewActor()
    {
        _constructing = _bound;
        try
        {
            return _inner.NewActor();
        }
        catch
        {
            _bound?.TrySetResult(Endpoint.None);
            throw;
        }
        finally
        {
            _constructing = null;
        }
    }

    /// <inheritdoc />
    protected override Props Copy() => new BindingProps(this, _inner, _bound);
}
