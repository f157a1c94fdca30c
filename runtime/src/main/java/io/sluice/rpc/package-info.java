/**
 * The transport between driver and executors: framed messages over Netty (NIO), asks with replies, one-way
 * messages, and streams of large data in bounded chunks.
 *
 * <p>Frame: {@code length:int32 | magic:byte | version:byte | type:byte | requestId:int64 | body}, types in
 * {@link io.sluice.rpc.MessageType}, bodies in {@link io.sluice.rpc.Message}; {@link io.sluice.rpc.RpcPipeline} shows
 * the stages in order. Payloads are serialized by the transport's {@link io.sluice.serde.Serializer} (Kryo by
 * default); failures travel as class name and message.
 *
 * <p>Entry point: one {@link io.sluice.rpc.TransportContext} per process. It holds the event loops, the
 * {@link io.sluice.rpc.InboundDispatcher} where {@link io.sluice.rpc.RpcEndpoint}s and the
 * {@link io.sluice.rpc.StreamProvider} are registered, the {@link io.sluice.rpc.RpcClientFactory}, and any
 * {@link io.sluice.rpc.RpcServer}. Either side of a connection can ask the other
 * ({@link io.sluice.rpc.RpcCallContext#connection()}).
 *
 * <p>Threads: {@code sluice-rpc-io-N} run Netty. Futures complete on them, and stream sinks are called on them.
 * {@code sluice-rpc-dispatch-N} run endpoints (serially per endpoint) and read stream sources.
 */
package io.sluice.rpc;
