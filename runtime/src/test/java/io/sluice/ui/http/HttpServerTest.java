package io.sluice.ui.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.receiver.Await;
import io.sluice.ui.HttpGet;
import io.sluice.ui.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpServerTest {

    private static HttpServer.Settings settings(int port, int maxRetries) {
        return new HttpServer.Settings("test-app", "test-http", "127.0.0.1", "127.0.0.1", port, maxRetries, 1, 8192, Duration.ofSeconds(5));
    }

    private static Router router() {
        return new Router()
                .get("/items/{id}", r -> Response.json(Map.of("id", r.param("id"))))
                .get("/items/special", r -> Response.json(Map.of("special", true)))
                .get("/fail", r -> {
                    throw new IllegalStateException("broken handler");
                });
    }

    private static ServerSocket occupy() throws IOException {
        var s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return s;
    }

    @Test
    void aTakenPortMakesTheServerTryTheNextPortsUp() throws IOException {
        try (var taken = occupy(); var server = HttpServer.start(settings(taken.getLocalPort(), 16), router())) {
            assertThat(server.port()).isBetween(taken.getLocalPort() + 1, taken.getLocalPort() + 16);
            assertThat(server.url().toString()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(new HttpGet(server.url()).object("/items/7")).containsEntry("id", "7");
        }
    }

    @Test
    void whenEveryPortIsTakenStartFailsNamingTheSettingsAndLeavesNoThread() throws IOException {
        try (var taken = occupy()) {
            assertThatThrownBy(() -> HttpServer.start(settings(taken.getLocalPort(), 0), router()))
                    .hasMessageContaining("are all taken").hasMessageContaining("sluice.ui.port")
                    .hasMessageContaining("sluice.port.maxRetries");
        }
        Await.until("the server's threads ended", () -> Await.liveThreads("sluice-test-http").isEmpty());
    }

    @Test
    void closeStopsItsThreadsAndFreesThePort() {
        var server = HttpServer.start(settings(0, 0), router());
        assertThat(Await.liveThreads("sluice-test-http-accept")).isNotEmpty();
        new HttpGet(server.url()).get("/items/1");
        server.close();
        server.close(); // idempotent
        Await.until("the server's threads ended", () -> Await.liveThreads("sluice-test-http").isEmpty(), Duration.ofSeconds(15));
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void literalSegmentsWinOverPlaceholdersAndATrailingSlashIsIgnored() {
        try (var server = HttpServer.start(settings(0, 0), router())) {
            var http = new HttpGet(server.url());
            assertThat(http.object("/items/special")).containsEntry("special", true);
            assertThat(http.object("/items/special/")).containsEntry("special", true);
            assertThat(http.object("/items/a%20b")).containsEntry("id", "a b");
        }
    }

    @Test
    void aFailingHandlerGives500WithAJsonError() {
        try (var server = HttpServer.start(settings(0, 0), router())) {
            var r = new HttpGet(server.url()).get("/fail");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(Json.parse(r.body())).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("status", 500L).containsEntry("error", "Internal Server Error");
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnectionAndConnectionCloseEndsIt() throws IOException {
        try (var server = HttpServer.start(settings(0, 0), router()); var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).contains("HTTP/1.1 200 OK", "connection: keep-alive", "{\"id\":\"1\"}");
            out.write("HEAD /items/2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).contains("HTTP/1.1 200 OK", "content-length: 10");
            out.write("GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).contains("HTTP/1.1 200 OK", "connection: close", "{\"id\":\"3\"}");
            assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
        }
    }

    private static List<String> readHead(BufferedReader in) throws IOException {
        var lines = new ArrayList<String>();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            lines.add(line.toLowerCase(java.util.Locale.ROOT).startsWith("http/") ? line : line.toLowerCase(java.util.Locale.ROOT));
        }
        return lines;
    }

    private static List<String> readResponse(BufferedReader in) throws IOException {
        var lines = readHead(in);
        int length = lines.stream().filter(l -> l.startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring("content-length:".length()).trim())).findFirst().orElseThrow();
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        lines.add(new String(body, 0, read));
        return lines;
    }
}
