// The public API speaks NIO's ByteBuffer, HTTPHeaders, HTTPMethod and HTTPResponseStatus;
// re-exporting them spares every user of the kit two extra imports and dependencies.
@_exported import NIOCore
@_exported import NIOHTTP1
