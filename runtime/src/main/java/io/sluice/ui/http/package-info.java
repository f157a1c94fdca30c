/**
 * A small HTTP/1.1 server on Netty for the driver: {@link io.sluice.ui.http.HttpServer} binds (trying the next ports
 * up when one is taken) and owns its named event loops; the pipeline is {@code HttpServerCodec},
 * {@code HttpObjectAggregator} and {@code RoutingHandler}, which routes GET/HEAD paths through a
 * {@link io.sluice.ui.http.Router} to {@link io.sluice.ui.http.Handler}s and answers errors (400, 404, 405, 500) with
 * a JSON body.
 *
 * <p>Threads: {@code sluice-<name>-accept-N} accept connections, {@code sluice-<name>-io-N} read, route and run the
 * handlers, which must not block.
 */
package io.sluice.ui.http;
