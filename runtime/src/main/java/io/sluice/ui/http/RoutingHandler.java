package io.sluice.ui.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns each aggregated request into a {@link Response}: 400 for undecodable requests, 404 for unknown paths,
 * 405 (with {@code Allow: GET, HEAD}) for other methods on known paths, the handler's response otherwise (HEAD gets
 * the GET response without its body). Keeps the connection open when the client asks for keep-alive.
 *
 * <p>Stateless, but not marked sharable: one per connection, like the other pipeline stages.
 * {@link SimpleChannelInboundHandler} releases the request after {@link #channelRead0}.
 */
final class RoutingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LogManager.getLogger(RoutingHandler.class);

    private final String owner;
    private final Router router;

    RoutingHandler(String owner, Router router) {
        this.owner = owner;
        this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        Response response;
        if (req.decoderResult().isFailure()) {
            response = Response.error(400, "Bad Request", "cannot decode the request: " + req.decoderResult().cause());
            keepAlive = false;
        } else {
            response = respond(req);
        }
        boolean head = req.method().equals(HttpMethod.HEAD);
        write(ctx, response, keepAlive, head);
    }

    private Response respond(FullHttpRequest req) {
        QueryStringDecoder decoded;
        try {
            decoded = new QueryStringDecoder(req.uri());
        } catch (IllegalArgumentException e) {
            return Response.error(400, "Bad Request", "cannot decode the request URI " + req.uri() + ": " + e.getMessage());
        }
        String path = decoded.path();
        Router.Match match = router.route(path);
        if (match == null) {
            return Response.error(404, "Not Found", "no resource at " + path);
        }
        HttpMethod method = req.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            return Response.error(405, "Method Not Allowed", method + " is not supported on " + path + "; use GET")
                    .withHeader("Allow", "GET, HEAD");
        }
        var request = new Request(method.name(), path, match.params(), decoded.parameters());
        try {
            return match.handler().handle(request);
        } catch (NotFoundException e) {
            return Response.error(404, "Not Found", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("[{}] Error serving {} {}", owner, method, req.uri(), e);
            return Response.error(500, "Internal Server Error", String.valueOf(e));
        }
    }

    private static void write(ChannelHandlerContext ctx, Response r, boolean keepAlive, boolean head) {
        FullHttpResponse res = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, must-revalidate");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("[{}] Closing HTTP connection from {} after an error", owner, ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
