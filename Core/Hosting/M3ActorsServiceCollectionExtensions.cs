using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace M3Actors.Hosting;

/// <summary>Registers M3Actors with the .NET generic host, in the style of Akka.Hosting's <c>AddAkka</c>.</summary>
public static class M3ActorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the node's <see cref="Drvs"/> (a singleton) and a hosted service that starts its VMs and endpoints
    /// when the host starts and ends them all when it stops. Options are bound from <paramref name="configuration"/>
    /// (the <see cref="M3ActorsOptions.Section"/> section, typically) and then from <paramref name="configure"/>.
    /// Register it before hosted services that use the VMs: hosted services start in registration order.
    /// Throws <see cref="InvalidOperationException"/> when called twice: a host runs one DRVS (one node).
    /// </summary>
    public static IServiceCollection AddM3Actors(this IServiceCollection services, IConfiguration? configuration,
        Action<M3ActorsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(HostingPlan)))
            throw new InvalidOperationException("AddM3Actors was already called: a host runs one DRVS (one node)");
        var plan = new HostingPlan();
        services.AddOptions<M3ActorsOptions>();
        if (configuration is not null) services.Configure<M3ActorsOptions>(configuration);
        services.AddSingleton(plan);
        services.AddSingleton(sp =>
            Drvs.Start(plan.Drvs ?? sp.GetRequiredService<IOptions<M3ActorsOptions>>().Value.ToDrvsOptions()));
        services.AddHostedService<M3ActorsHostedService>();
        configure?.Invoke(new M3ActorsBuilder(services, plan));
        return services;
    }

    /// <summary>As <see cref="AddM3Actors(IServiceCollection, IConfiguration?, Action{M3ActorsBuilder}?)"/>, configured in code only.</summary>
    public static IServiceCollection AddM3Actors(this IServiceCollection services, Action<M3ActorsBuilder> configure) =>
        services.AddM3Actors(null, configure);
}
