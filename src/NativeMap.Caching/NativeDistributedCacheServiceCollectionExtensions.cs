using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NativeMap.Caching;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddNativeDistributedCache(options =&gt; …)</c>: the one line that makes <see cref="NativeDistributedCache"/>
/// the application's <see cref="IDistributedCache"/> (and <see cref="IBufferDistributedCache"/>, which
/// <c>HybridCache</c> picks up as its second level).
/// </summary>
public static class NativeDistributedCacheServiceCollectionExtensions
{
    /// <summary>Registers <see cref="NativeDistributedCache"/> with default options as the
    /// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddNativeDistributedCache(this IServiceCollection services) => AddNativeDistributedCache(services, null);

    /// <summary>
    /// Registers <see cref="NativeDistributedCache"/>, configured by <paramref name="configure"/>, as a singleton and as
    /// the <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/>.
    /// </summary>
    /// <remarks>
    /// <para>It replaces any <see cref="IDistributedCache"/> registered before it (<c>AddDistributedMemoryCache</c>,
    /// for instance), so switching is this one line wherever it stands; one registered after it wins, as usual.</para>
    /// <para>The options are validated (<see cref="NativeDistributedCacheOptions.Validate"/>) when the host starts, or
    /// when the cache is first resolved without a host: a bad value is an <see cref="OptionsValidationException"/>
    /// naming it. The container disposes the cache, and with it its native memory, when it is disposed.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddNativeDistributedCache(this IServiceCollection services, Action<NativeDistributedCacheOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsBuilder<NativeDistributedCacheOptions> options = services.AddOptions<NativeDistributedCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NativeDistributedCacheOptions>, NativeDistributedCacheOptionsValidator>());

        services.TryAddSingleton(static provider => new NativeDistributedCache(provider.GetRequiredService<IOptions<NativeDistributedCacheOptions>>()));
        services.RemoveAll<IDistributedCache>();
        services.RemoveAll<IBufferDistributedCache>();
        services.AddSingleton<IDistributedCache>(static provider => provider.GetRequiredService<NativeDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(static provider => provider.GetRequiredService<NativeDistributedCache>());
        return services;
    }
}
