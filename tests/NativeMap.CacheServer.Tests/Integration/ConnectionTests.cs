using System.Text;
using NativeMap.CacheServer.Tests.Infrastructure;

namespace NativeMap.CacheServer.Tests.Integration;

/// <summary>The connection commands and the request loop, over a raw socket.</summary>
public class ConnectionTests
{
    [Fact]
    public async Task Pipeline_TenThousandRequestsInOneWrite_AreAnsweredInOrder()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        var batch = new List<byte>();
        for (int i = 0; i < 10_000; i++)
        {
            batch.AddRange(i % 3 == 0 ? Encoding.ASCII.GetBytes($"ECHO {i}\r\n") : RawClient.Encode("ECHO", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        client.Send(batch.ToArray());
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), client.Read().Text);
        }
    }

    [Fact]
    public async Task Pipeline_RepliesLargerThanTheFlushThreshold_AllArrive()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        string value = new('v', 100_000);
        byte[] request = RawClient.Encode("ECHO", value);
        var batch = new List<byte>();
        for (int i = 0; i < 100; i++)
        {
            batch.AddRange(request);
        }

        Task send = Task.Run(() => client.Send(batch.ToArray()));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(value, client.Read().Text);
        }

        await send;
    }

    [Fact]
    public async Task ShortLivedClients_ReuseTheConnectionObjects()
    {
        await using TestServer server = await TestServer.StartAsync();
        for (int i = 0; i < 20; i++)
        {
            using (RawClient client = server.Connect())
            {
                Assert.Equal("PONG", client.Call("PING").Text);
            }

            await TestServer.WaitUntilAsync(() => server.Server.ClientCount == 0, "the client is gone");
        }

        Assert.True(server.Server.Context.ScratchPolicy.Created <= 2, $"{server.Server.Context.ScratchPolicy.Created} created for 20 sequential clients");
    }

    [Fact]
    public async Task Ping_Echo_Select_Quit_BehaveAsRedis()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal("+PONG", client.Call("PING").ToString());
        Assert.Equal("hello", client.Call("PING", "hello").Text);
        Assert.Equal(RespKind.Bulk, client.Call("PING", "hello").Kind);
        Assert.Equal("a\r\nb", client.Call("ECHO", "a\r\nb").Text);
        Assert.Equal("", client.Call("ECHO", "").Text);
        Assert.Equal("OK", client.Call("SELECT", "0").Text);
        Assert.Equal("ERR DB index is out of range", client.Call("SELECT", "1").Text);
        Assert.Equal("ERR value is not an integer or out of range", client.Call("SELECT", "x").Text);
        client.Send("QUIT\r\nPING\r\n");
        Assert.Equal("OK", client.Read().Text);
        Assert.True(client.WaitForClose(), "QUIT closes the connection and runs nothing after it");
    }

    [Fact]
    public async Task Hello_Two_DescribesTheServer_AndThreeIsRefused()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        RespValue hello = client.Call("HELLO", "2");
        Assert.Equal(14, hello.Items!.Count);
        var fields = new Dictionary<string, RespValue>();
        for (int i = 0; i < 14; i += 2)
        {
            fields[hello.Items[i].Text!] = hello.Items[i + 1];
        }

        Assert.Equal(2, fields["proto"].Integer);
        Assert.Equal(client.Call("CLIENT", "ID").Integer, fields["id"].Integer);
        Assert.Equal("standalone", fields["mode"].Text);
        Assert.Equal("NOPROTO unsupported protocol version", client.Call("HELLO", "3").Text);
        Assert.Equal("ERR Protocol version is not an integer or out of range", client.Call("HELLO", "two").Text);
        Assert.Equal("ERR Syntax error in HELLO option 'bogus'", client.Call("HELLO", "2", "bogus").Text);
        Assert.Equal(14, client.Call("HELLO", "2", "SETNAME", "named").Items!.Count);
        Assert.Equal("named", client.Call("CLIENT", "GETNAME").Text);
    }

    [Fact]
    public async Task Client_IdNameAndList()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient first = server.Connect();
        using RawClient second = server.Connect();
        long firstId = first.Call("CLIENT", "ID").Integer;
        long secondId = second.Call("CLIENT", "ID").Integer;
        Assert.True(secondId > firstId);
        Assert.True(first.Call("CLIENT", "GETNAME").IsNull);
        Assert.Equal("OK", first.Call("CLIENT", "SETNAME", "worker-1").Text);
        Assert.Equal("worker-1", first.Call("CLIENT", "GETNAME").Text);
        Assert.Equal("ERR Client names cannot contain spaces, newlines or special characters.", first.Call("CLIENT", "SETNAME", "a b").Text);
        string list = second.Call("CLIENT", "LIST").Text!;
        Assert.Contains($"id={firstId} ", list);
        Assert.Contains("name=worker-1 ", list);
        Assert.Contains($"id={secondId} ", list);
        Assert.Equal("OK", first.Call("CLIENT", "SETNAME", "").Text);
        Assert.True(first.Call("CLIENT", "GETNAME").IsNull);
        Assert.Equal("ERR wrong number of arguments for 'client|id' command", first.Call("CLIENT", "ID", "x").Text);
    }

    [Fact]
    public async Task RequirePass_GatesCommandsUntilAuth()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { RequirePass = "s3cret" });
        using RawClient client = server.Connect();
        Assert.Equal("NOAUTH Authentication required.", client.Call("PING").Text);
        Assert.Equal("NOAUTH Authentication required.", client.Call("CONFIG", "GET", "maxmemory").Text);
        Assert.Equal("ERR unknown command 'nosuch', with args beginning with: ", client.Call("nosuch").Text);
        Assert.Equal("ERR wrong number of arguments for 'echo' command", client.Call("ECHO").Text);
        Assert.Equal("WRONGPASS invalid username-password pair or user is disabled.", client.Call("AUTH", "wrong").Text);
        Assert.Equal("WRONGPASS invalid username-password pair or user is disabled.", client.Call("AUTH", "someone", "s3cret").Text);
        Assert.StartsWith("NOAUTH HELLO must be called with the client already authenticated", client.Call("HELLO", "2").Text);
        Assert.Equal("OK", client.Call("AUTH", "s3cret").Text);
        Assert.Equal("PONG", client.Call("PING").Text);

        using RawClient viaHello = server.Connect();
        Assert.Equal(14, viaHello.Call("HELLO", "2", "AUTH", "default", "s3cret").Items!.Count);
        Assert.Equal("PONG", viaHello.Call("PING").Text);

        using RawClient viaUser = server.Connect();
        Assert.Equal("OK", viaUser.Call("AUTH", "default", "s3cret").Text);
    }

    [Fact]
    public async Task RequirePass_UnauthenticatedClientsHaveSmallRequestLimits()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { RequirePass = "pw" });
        using RawClient client = server.Connect();
        client.Send("*11\r\n");
        Assert.Equal("ERR Protocol error: unauthenticated multibulk length", client.Read().Text);
        Assert.True(client.WaitForClose());

        using RawClient other = server.Connect();
        other.Send("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
        Assert.Equal("ERR Protocol error: unauthenticated bulk length", other.Read().Text);
    }

    [Fact]
    public async Task Auth_WithoutConfiguredPassword_IsRedisError()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.StartsWith("ERR AUTH <password> called without any password configured", client.Call("AUTH", "x").Text);
        Assert.Equal("OK", client.Call("AUTH", "default", "anything").Text);
    }

    [Fact]
    public async Task MaxClients_RefusesTheClientOverTheCap()
    {
        await using TestServer server = await TestServer.StartAsync(new CacheServerOptions { MaxClients = 2 });
        using RawClient first = server.Connect();
        using RawClient second = server.Connect();
        Assert.Equal("PONG", first.Call("PING").Text);
        Assert.Equal("PONG", second.Call("PING").Text);
        using (RawClient third = server.Connect())
        {
            Assert.Equal("ERR max number of clients reached", third.Read().Text);
            Assert.True(third.WaitForClose());
        }

        first.Dispose();
        await TestServer.WaitUntilAsync(() => server.Server.ClientCount == 1, "the first client is gone");
        using RawClient fourth = server.Connect();
        Assert.Equal("PONG", fourth.Call("PING").Text);
        Assert.Contains("rejected_connections:1", second.Call("INFO", "stats").Text);
    }

    [Fact]
    public async Task Config_GetAndSetTheServersSettings()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        Assert.Equal(["maxmemory", "0"], Texts(client.Call("CONFIG", "GET", "maxmemory")));
        Assert.Equal("OK", client.Call("CONFIG", "SET", "maxmemory", "100mb", "maxmemory-policy", "allkeys-lru").Text);
        Assert.Equal(["maxmemory", "104857600", "maxmemory-policy", "allkeys-lru"],
            Texts(client.Call("CONFIG", "GET", "maxmemory", "maxmemory-policy")));
        Assert.Equal(104_857_600, server.Server.Context.Settings.MaxMemory);
        Assert.Equal(["save", "", "appendonly", "no"], Texts(client.Call("CONFIG", "GET", "save", "appendonly")));
        Assert.Equal(["port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], Texts(client.Call("CONFIG", "GET", "port")));
        Assert.Contains("maxmemory-samples", Texts(client.Call("CONFIG", "GET", "MAXMEMORY*")));
        Assert.Empty(client.Call("CONFIG", "GET", "nothing-like-this").Items!);

        Assert.Equal("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", client.Call("CONFIG", "SET", "foo", "bar").Text);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
            client.Call("CONFIG", "SET", "port", "1").Text);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            client.Call("CONFIG", "SET", "maxmemory", "lots").Text);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
            client.Call("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2").Text);
        Assert.StartsWith("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: ",
            client.Call("CONFIG", "SET", "maxmemory-policy", "volatile-whatever").Text);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
            client.Call("CONFIG", "SET", "maxclients", "x").Text);
        Assert.Equal("ERR syntax error", client.Call("CONFIG", "SET", "maxmemory", "1", "maxclients").Text);

        // All or nothing: a bad second pair leaves the first unchanged.
        Assert.StartsWith("ERR CONFIG SET failed", client.Call("CONFIG", "SET", "maxmemory", "1mb", "maxclients", "0").Text);
        Assert.Equal(104_857_600, server.Server.Context.Settings.MaxMemory);
    }

    [Fact]
    public async Task Config_SetRequirePass_AppliesToNewClients()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient admin = server.Connect();
        Assert.Equal("OK", admin.Call("CONFIG", "SET", "requirepass", "pw").Text);
        Assert.Equal("PONG", admin.Call("PING").Text); // connected before: stays authenticated, as in Redis
        using RawClient late = server.Connect();
        Assert.Equal("NOAUTH Authentication required.", late.Call("PING").Text);
        Assert.Equal("OK", admin.Call("CONFIG", "SET", "requirepass", "").Text);
        Assert.Equal("PONG", late.Call("PING").Text);
    }

    [Fact]
    public async Task Info_HasTheAskedSectionsInRedisLayout()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        client.Call("PING");
        string all = client.Call("INFO").Text!;
        foreach (string section in new[] { "# Server", "# Clients", "# Memory", "# Stats", "# Keyspace" })
        {
            Assert.Contains(section + "\r\n", all);
        }

        Assert.Contains($"tcp_port:{server.Port}\r\n", all);
        Assert.Contains("connected_clients:1\r\n", all);
        Assert.Matches(@"used_memory_rss:[1-9]\d*\r\n", all);
        Assert.Matches(@"total_commands_processed:[1-9]\d*\r\n", all);
        string clients = client.Call("INFO", "clients").Text!;
        Assert.StartsWith("# Clients\r\n", clients);
        Assert.DoesNotContain("# Server", clients);
        string two = client.Call("info", "SERVER", "stats").Text!;
        Assert.Contains("# Server", two);
        Assert.Contains("# Stats", two);
        Assert.DoesNotContain("# Memory", two);
        Assert.Equal("", client.Call("INFO", "nosuchsection").Text);
    }

    [Fact]
    public async Task Command_CountInfoDocsList()
    {
        await using TestServer server = await TestServer.StartAsync();
        using RawClient client = server.Connect();
        long count = client.Call("COMMAND", "COUNT").Integer;
        Assert.Equal(count, client.Call("COMMAND").Items!.Count);
        RespValue echo = client.Call("COMMAND", "INFO", "echo", "nosuch");
        Assert.Equal("echo", echo.Items![0].Items![0].Text);
        Assert.Equal(2, echo.Items[0].Items![1].Integer);
        Assert.True(echo.Items[1].IsNull);
        RespValue docs = client.Call("COMMAND", "DOCS", "ping");
        Assert.Equal("ping", docs.Items![0].Text);
        Assert.Contains("summary", Texts(docs.Items[1]));
        Assert.Contains("config|get", Texts(client.Call("COMMAND", "LIST")));
        Assert.Equal("ERR unknown subcommand 'nope'. Try COMMAND HELP.", client.Call("COMMAND", "nope").Text);
    }

    private static string[] Texts(RespValue array) => [.. array.Items!.Select(i => i.Text ?? "")];
}
