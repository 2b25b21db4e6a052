using NativeMap.CacheServer.Protocol;
using NativeMap.CacheServer.Server;

namespace NativeMap.CacheServer.Commands;

/// <summary>
/// Runs one command whose name, arity and authentication have been checked, writing exactly one reply into
/// <see cref="ClientConnection.Reply"/>. It runs on the connection's thread, synchronously, with the arguments still
/// in the receive buffer; it must not keep them past its return.
/// </summary>
internal delegate void CommandHandler(ClientConnection client, CommandArguments args);
