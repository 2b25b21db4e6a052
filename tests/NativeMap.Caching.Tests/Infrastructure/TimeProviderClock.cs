using Microsoft.Extensions.Internal;

namespace NativeMap.Caching.Tests.Infrastructure;

/// <summary>MemoryCache reads time through the older <see cref="ISystemClock"/>; this gives it the tests' fake clock.</summary>
public sealed class TimeProviderClock(TimeProvider timeProvider) : ISystemClock
{
    public DateTimeOffset UtcNow => timeProvider.GetUtcNow();
}
