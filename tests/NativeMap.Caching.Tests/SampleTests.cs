using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NativeMap.Caching.Sample;

namespace NativeMap.Caching.Tests;

/// <summary>The sample's host, started in-process on a free loopback port, answers the README's requests: a product
/// is loaded once, then served from the cache; its bytes sit in the native L2; a delete makes the next read load again.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task Sample_ProductRoundTrip_ThroughHybridCacheAndTheNativeL2()
    {
        await using WebApplication app = SampleApp.Build(["--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        try
        {
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

            ProductResponse? first = await client.GetFromJsonAsync<ProductResponse>("/products/7");
            ProductResponse? second = await client.GetFromJsonAsync<ProductResponse>("/products/7");
            Assert.NotNull(first);
            Assert.NotNull(second);
            Assert.True(first.Loaded);
            Assert.False(second.Loaded);
            Assert.Equal(first.Product, second.Product);
            Assert.Equal(7, first.Product.Id);

            L2Response? l2 = await client.GetFromJsonAsync<L2Response>("/l2/products/7");
            Assert.NotNull(l2);
            Assert.True(l2.Bytes > 0);

            StatsResponse? stats = await client.GetFromJsonAsync<StatsResponse>("/stats");
            Assert.NotNull(stats);
            Assert.True(stats.Entries >= 1);
            Assert.True(stats.HeapInUseBytes > 0);

            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/products/7")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/l2/products/7")).StatusCode);
            ProductResponse? reloaded = await client.GetFromJsonAsync<ProductResponse>("/products/7");
            Assert.NotNull(reloaded);
            Assert.True(reloaded.Loaded);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
