using NativeMap.Caching.Sample;

// dotnet run --project samples/NativeMap.Caching.Sample   (listens on http://localhost:5080; see README.md)
WebApplication app = SampleApp.Build(args);
await app.RunAsync();
