package io.sluice.k8s.testcluster.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The stand-in Kubernetes API server: fabric8's CRUD mock store behind an HTTP server of its own that speaks both
 * watch protocols (the WebSocket watch of the fabric8 client and the HTTP-streaming watch of kubectl and client-go),
 * with the request handling of {@link ApiDispatcher} and a garbage collector. One URL serves every client.
 *
 * <p>What it is not: no etcd, no admission chain, no schema validation of custom resources against their CRD, no
 * RBAC beyond the configured {@link AccessDenial}s, no server-side apply, no aggregated discovery (clients fall back
 * to the legacy documents), no exec/attach/port-forward.
 */
public final class StandInApiServer implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(StandInApiServer.class);
  private static final Set<String> SKIPPED_HEADERS = Set.of("content-length", "transfer-encoding", "connection");

  private final Vertx vertx;
  private final HttpServer server;
  private final ObjectStore store;
  private final ApiDispatcher api;
  private final GarbageCollector gc;
  private final ExecutorService closer;
  private final Set<Runnable> openWatches = ConcurrentHashMap.newKeySet();
  private final String url;

  private StandInApiServer(int port, boolean tls, String kubernetesVersion) {
    store = new ObjectStore();
    api = new ApiDispatcher(store, kubernetesVersion);
    gc = new GarbageCollector(store, api);
    AtomicInteger n = new AtomicInteger();
    closer = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "standin-apiserver-watch-close-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(8));
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port)
        .setHttp2ClearTextEnabled(false).setHandle100ContinueAutomatically(true);
    if (tls) {
      SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
      options.setSsl(true).setKeyCertOptions(cert.keyCertOptions());
    }
    server = vertx.createHttpServer(options).requestHandler(this::handle);
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      gc.close();
      throw new IllegalStateException("the stand-in API server could not listen on 127.0.0.1:" + port, e);
    }
    url = (tls ? "https" : "http") + "://127.0.0.1:" + server.actualPort();
    api.serverAddress("127.0.0.1:" + server.actualPort());
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      createNamespace(ns);
    }
    LOG.info("stand-in Kubernetes API server {} (fabric8 CRUD store) serving at {}", kubernetesVersion, url);
  }

  /**
   * Starts a server on 127.0.0.1.
   *
   * @param port the port, 0 for any free one
   * @param tls serve HTTPS with a self-signed certificate for localhost (clients must skip verification)
   */
  public static StandInApiServer start(int port, boolean tls) {
    return new StandInApiServer(port, tls, "1.32.0");
  }

  /** The URL clients use, e.g. {@code http://127.0.0.1:34567}. */
  public String url() {
    return url;
  }

  public int port() {
    return server.actualPort();
  }

  /** Creates a namespace unless it exists (namespaced objects can only be created in an existing one). */
  public void createNamespace(String name) {
    if (store.get("/api/v1/namespaces/" + name).isEmpty()) {
      var ns = Json.parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
      var r = api.dispatch(ApiDispatcher.request(HttpMethod.POST, "/api/v1/namespaces", ns)).response();
      if (r.code() != 201 && r.code() != 409) {
        throw new IllegalStateException("cannot create namespace " + name + ": " + ApiDispatcher.text(r));
      }
    }
  }

  /** From now on, requests matching {@code denial} are answered 403 Forbidden. */
  public void deny(AccessDenial denial) {
    api.denials().add(denial);
  }

  /** Drops every {@link #deny} rule. */
  public void allowAll() {
    api.denials().clear();
  }

  /** Requests served so far by "verb resource", e.g. {@code "create pods"}, {@code "watch pods"}, {@code "get pods/log"}. */
  public Map<String, Long> requestCounts() {
    return api.requestCounts();
  }

  public void resetRequestCounts() {
    api.resetRequestCounts();
  }

  /** Where {@code pods/log} reads container logs (the stand-in kubelets). */
  public void podLogSource(PodLogSource source) {
    api.podLogs(source);
  }

  // ------------------------------------------------------------------------------------------------------ serving

  private void handle(HttpServerRequest req) {
    Context ctx = vertx.getOrCreateContext();
    String upgrade = req.getHeader("Upgrade");
    if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
      // the upgrade has to happen before the request is read, so dispatch right here
      RecordedRequest rr = recorded(req, null);
      ApiDispatcher.Reply reply = api.dispatch(rr);
      if (reply.watch() != null && reply.response().getWebSocketListener() != null) {
        req.toWebSocket().onSuccess(ws -> {
          WatchSocket socket = new WatchSocket(rr, reply.watch().filter(),
              text -> ctx.runOnContext(v -> ws.writeTextMessage(text)),
              () -> ctx.runOnContext(v -> {
                if (!ws.isClosed()) {
                  ws.close();
                }
              }));
          ws.closeHandler(v -> socket.clientGone());
          ws.exceptionHandler(e -> socket.clientGone());
          // the initial events are built off the event loop
          closer.execute(() -> startWatch(socket, reply, ctx));
        }).onFailure(e -> {
          store.unregisterWatch(reply.response().getWebSocketListener());
          LOG.debug("WebSocket upgrade failed for {}", rr.getPath(), e);
        });
        return;
      }
      send(req.response(), reply.response());
      return;
    }
    req.body().onSuccess(body -> {
      RecordedRequest rr = recorded(req, body);
      vertx.<ApiDispatcher.Reply>executeBlocking(() -> api.dispatch(rr), false).onComplete(ar -> {
        if (ar.failed()) {
          req.response().setStatusCode(500).end(String.valueOf(ar.cause()));
          return;
        }
        ApiDispatcher.Reply reply = ar.result();
        if (reply.watch() != null && reply.response().getWebSocketListener() != null) {
          streamWatch(req.response(), rr, reply, ctx);
        } else {
          send(req.response(), reply.response());
        }
      });
    }).onFailure(e -> req.response().setStatusCode(400).end("cannot read the request: " + e));
  }

  /** kubectl's watch: one JSON event per line on a chunked 200 response that stays open. */
  private void streamWatch(HttpServerResponse resp, RecordedRequest rr, ApiDispatcher.Reply reply, Context ctx) {
    resp.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
    resp.writeHead();
    WatchSocket socket = new WatchSocket(rr, reply.watch().filter(),
        text -> ctx.runOnContext(v -> {
          if (!resp.ended() && !resp.closed()) {
            resp.write(text + "\n");
          }
        }),
        () -> ctx.runOnContext(v -> {
          if (!resp.ended() && !resp.closed()) {
            resp.end();
          }
        }));
    resp.closeHandler(v -> socket.clientGone());
    closer.execute(() -> startWatch(socket, reply, ctx));
  }

  private void startWatch(WatchSocket socket, ApiDispatcher.Reply reply, Context ctx) {
    WebSocketListener listener = reply.response().getWebSocketListener();
    socket.onGone = () -> {
      closer.execute(() -> {
        store.unregisterWatch(listener);
        openWatches.remove(socket.stopper);
        listener.onClosed(socket, 1000, "watch closed");
      });
    };
    socket.stopper = socket::close;
    openWatches.add(socket.stopper);
    // what was removed after the version the client watches from, before the mock's own events
    for (String gone : reply.watch().removedSinceStart()) {
      String event = reply.watch().filter().removedBefore(gone);
      if (event != null) {
        socket.write.accept(event);
      }
    }
    listener.onOpen(socket, reply.response());
    long timeoutMillis = Math.max(1, reply.watch().timeoutSeconds()) * 1000;
    ctx.owner().setTimer(timeoutMillis, id -> socket.close());
  }

  private static void send(HttpServerResponse resp, MockResponse m) {
    resp.setStatusCode(m.code());
    m.getHeaders().toMultimap().forEach((k, vs) -> {
      if (!SKIPPED_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
        resp.headers().add(k, vs);
      }
    });
    byte[] body = m.getBody() == null ? new byte[0] : m.getBody().getBytes();
    if (body.length > 0 && !resp.headers().contains("Content-Type")) {
      resp.putHeader("Content-Type", "application/json");
    }
    resp.end(Buffer.buffer(body));
  }

  private static RecordedRequest recorded(HttpServerRequest req, Buffer body) {
    Headers.Builder h = Headers.builder();
    req.headers().forEach(e -> h.add(e.getKey(), e.getValue()));
    return new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(req.method().name()), req.uri(), h.build(),
        new io.fabric8.mockwebserver.http.Buffer(body == null ? new byte[0] : body.getBytes()));
  }

  /** One watch connection as the mock's watch listener sees it: events go through the filter to the client. */
  private static final class WatchSocket implements WebSocket {
    private final RecordedRequest request;
    private final WatchFilter filter;
    private final Consumer<String> write;
    private final Runnable end;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean gone = new AtomicBoolean();
    volatile Runnable onGone = () -> {};
    volatile Runnable stopper;

    WatchSocket(RecordedRequest request, WatchFilter filter, Consumer<String> write, Runnable end) {
      this.request = request;
      this.filter = filter;
      this.write = write;
      this.end = end;
    }

    @Override
    public RecordedRequest request() {
      return request;
    }

    @Override
    public boolean send(String text) {
      if (closed.get()) {
        return false;
      }
      String event = filter.apply(text);
      if (event != null) {
        write.accept(event);
      }
      return true;
    }

    @Override
    public boolean send(byte[] bytes) {
      return send(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public boolean close(int code, String reason) {
      close();
      return true;
    }

    void close() {
      if (closed.compareAndSet(false, true)) {
        end.run();
        clientGone();
      }
    }

    void clientGone() {
      closed.set(true);
      if (gone.compareAndSet(false, true)) {
        onGone.run();
      }
    }
  }

  @Override
  public void close() {
    openWatches.forEach(Runnable::run);
    gc.close();
    CompletableFuture<Void> done = new CompletableFuture<>();
    server.close().onComplete(ar -> vertx.close().onComplete(v -> done.complete(null)));
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("the stand-in API server did not stop within 30 s", e);
    }
    closer.shutdown();
    try {
      closer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
