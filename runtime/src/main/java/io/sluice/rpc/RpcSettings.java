package io.sluice.rpc;

import io.sluice.conf.SluiceConf;
import java.time.Duration;

/**
 * The transport's settings, read once from {@link SluiceConf} and checked together.
 *
 * @param maxFrameBytes      {@code sluice.rpc.maxFrameBytes}
 * @param streamChunkBytes   {@code sluice.rpc.streamChunkBytes}; a chunk frame must fit below the frame limit
 * @param askTimeout         {@code sluice.rpc.askTimeout}, used when an ask names no timeout
 * @param connectTimeout     {@code sluice.rpc.connectTimeout}
 * @param idleTimeout        {@code sluice.rpc.idleTimeout}
 * @param ioThreads          event-loop threads (resolved: never 0)
 * @param dispatcherThreads  endpoint threads (resolved: never 0)
 */
public record RpcSettings(int maxFrameBytes, int streamChunkBytes, Duration askTimeout, Duration connectTimeout,
                          Duration idleTimeout, int ioThreads, int dispatcherThreads) {

    public RpcSettings {
        if (streamChunkBytes + Protocol.MIN_FRAME_BYTES > maxFrameBytes) {
            throw new IllegalArgumentException(SluiceConf.RPC_STREAM_CHUNK_BYTES.name() + " = " + streamChunkBytes
                    + " does not fit in a frame: " + SluiceConf.RPC_MAX_FRAME_BYTES.name() + " = " + maxFrameBytes
                    + " must be at least " + (streamChunkBytes + Protocol.MIN_FRAME_BYTES));
        }
        if (ioThreads < 1 || dispatcherThreads < 1) {
            throw new IllegalArgumentException("thread counts must be positive: io " + ioThreads + ", dispatcher " + dispatcherThreads);
        }
    }

    public static RpcSettings from(SluiceConf conf) {
        int cores = Runtime.getRuntime().availableProcessors();
        int io = conf.get(SluiceConf.RPC_IO_THREADS);
        int dispatch = conf.get(SluiceConf.RPC_DISPATCHER_THREADS);
        return new RpcSettings(conf.get(SluiceConf.RPC_MAX_FRAME_BYTES), conf.get(SluiceConf.RPC_STREAM_CHUNK_BYTES),
                conf.get(SluiceConf.RPC_ASK_TIMEOUT), conf.get(SluiceConf.RPC_CONNECT_TIMEOUT),
                conf.get(SluiceConf.RPC_IDLE_TIMEOUT), io == 0 ? cores : io, dispatch == 0 ? Math.max(2, cores) : dispatch);
    }
}
