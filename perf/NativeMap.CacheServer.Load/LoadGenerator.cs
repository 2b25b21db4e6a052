namespace NativeMap.CacheServer.Load;

/// <summary>
/// The workloads, driven through <see cref="RespClient"/> over several connections with pipelined batches: load N
/// keys, delete 90 % scattered, FLUSHALL, and a Zipf cache-aside GET load. Every reply is checked.
/// </summary>
public static class LoadGenerator
{
    /// <summary>SET key:i value(i) for every i in [0, keys), spread over the connections.</summary>
    public static Task LoadAsync(int port, long keys, int valueSize, LoadSettings settings) =>
        ForEachConnectionAsync(port, settings.Connections, (client, connection) =>
        {
            byte[] value = new byte[valueSize];
            int batch = 0;
            for (long i = connection; i < keys; i += settings.Connections)
            {
                Keys.FillValue(value, i);
                client.Append("SET"u8, Keys.Key(i), value, hasValue: true);
                if (++batch == settings.Pipeline)
                {
                    Drain(client, batch, "SET");
                    batch = 0;
                }
            }

            Drain(client, batch, "SET");
        });

    /// <summary>DEL every key whose index is not a multiple of 10; returns how many were deleted.</summary>
    public static async Task<long> DeleteScatteredAsync(int port, long keys, LoadSettings settings)
    {
        long deleted = 0;
        await ForEachConnectionAsync(port, settings.Connections, (client, connection) =>
        {
            long mine = 0;
            int batch = 0;
            for (long i = connection; i < keys; i += settings.Connections)
            {
                if (i % 10 == 0)
                {
                    continue;
                }

                client.Append("DEL"u8, Keys.Key(i));
                if (++batch == settings.Pipeline)
                {
                    mine += DrainIntegers(client, batch);
                    batch = 0;
                }
            }

            mine += DrainIntegers(client, batch);
            Interlocked.Add(ref deleted, mine);
        }).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Cache-aside under a Zipf popularity: GET; on a miss, SET the value. Returns hits and misses of the
    /// second half (the first half warms the cache).</summary>
    public static (long Hits, long Misses) ZipfCacheAside(int port, int keyCount, int operations, int valueSize, LoadSettings settings)
    {
        var zipf = new Zipf(keyCount, settings.ZipfExponent, seed: 20261130);
        using RespClient client = RespClient.ConnectAsync(port).GetAwaiter().GetResult();
        byte[] value = new byte[valueSize];
        long hits = 0;
        long misses = 0;
        int[] batch = new int[settings.Pipeline];
        for (int done = 0; done < operations;)
        {
            int count = Math.Min(batch.Length, operations - done);
            for (int j = 0; j < count; j++)
            {
                batch[j] = zipf.Next();
                client.Append("GET"u8, Keys.Key(batch[j]));
            }

            client.Flush();
            var missed = new List<int>();
            for (int j = 0; j < count; j++)
            {
                Reply reply = client.ReadReply();
                if (reply.IsNullBulk)
                {
                    missed.Add(batch[j]);
                }
            }

            if (done >= operations / 2)
            {
                misses += missed.Count;
                hits += count - missed.Count;
            }

            foreach (int key in missed)
            {
                Keys.FillValue(value, key);
                client.Append("SET"u8, Keys.Key(key), value, hasValue: true);
            }

            Drain(client, missed.Count, "SET");
            done += count;
        }

        return (hits, misses);
    }

    public static async Task<string?> CallAsync(int port, params string[] args)
    {
        using RespClient client = await RespClient.ConnectAsync(port).ConfigureAwait(false);
        return await client.CallAsync(args).ConfigureAwait(false);
    }

    /// <summary>One field of INFO (all sections).</summary>
    public static async Task<string?> InfoFieldAsync(int port, string field)
    {
        string? info = await CallAsync(port, "INFO", "all").ConfigureAwait(false);
        foreach (string line in (info ?? "").Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..];
            }
        }

        return null;
    }

    private static async Task ForEachConnectionAsync(int port, int connections, Action<RespClient, int> work)
    {
        var tasks = new List<Task>();
        for (int c = 0; c < connections; c++)
        {
            int connection = c;
            RespClient client = await RespClient.ConnectAsync(port).ConfigureAwait(false);
            tasks.Add(Task.Factory.StartNew(() =>
            {
                using (client)
                {
                    work(client, connection);
                }
            }, TaskCreationOptions.LongRunning));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Sends the batch and reads its replies, each a simple string (OK).</summary>
    private static void Drain(RespClient client, int count, string what)
    {
        if (count == 0)
        {
            return;
        }

        client.Flush();
        for (int j = 0; j < count; j++)
        {
            Reply reply = client.ReadReply();
            if (reply.Kind != (byte)'+')
            {
                throw new InvalidOperationException($"{what}: unexpected reply kind '{(char)reply.Kind}'");
            }
        }
    }

    /// <summary>Sends the batch and sums its integer replies.</summary>
    private static long DrainIntegers(RespClient client, int count)
    {
        if (count == 0)
        {
            return 0;
        }

        client.Flush();
        long sum = 0;
        for (int j = 0; j < count; j++)
        {
            Reply reply = client.ReadReply();
            sum += reply.Kind == (byte)':' ? reply.Number : throw new InvalidOperationException($"DEL: unexpected reply '{(char)reply.Kind}'");
        }

        return sum;
    }
}
