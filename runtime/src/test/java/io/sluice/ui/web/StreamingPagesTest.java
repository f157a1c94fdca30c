package io.sluice.ui.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.ui.HttpGet;
import io.sluice.ui.http.HttpServer;
import io.sluice.ui.http.Router;
import io.sluice.ui.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The web UI's routes over plain HTTP: pages, their files, content types, caching, 404s and refused traversal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingPagesTest {
    private StreamingPages pages;
    private HttpServer server;
    private HttpGet http;

    @BeforeAll
    void start() {
        pages = new StreamingPages(getClass().getClassLoader());
        var router = new Router();
        pages.mount(router);
        server = HttpServer.start(new HttpServer.Settings("test-app", "test-ui", "127.0.0.1", "127.0.0.1", 0, 0, 1,
                8192, Duration.ofSeconds(5)), router);
        http = new HttpGet(server.url());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void theRootRedirectsToTheStreamingPage() {
        var r = http.get("/");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/streaming/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/streaming/", "/streaming", "/streaming/batch/?id=1000", "/streaming/batch"})
    void pagesAreHtmlWithAContentSecurityPolicyAndAreNeverCached(String path) {
        var r = http.get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("script-src 'self'").contains("default-src 'none'");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.body()).startsWith("<!DOCTYPE html>").doesNotContain("{{");
    }

    @Test
    void everyFileThePagesLoadIsServedWithItsContentType() {
        var refs = new ArrayList<String>();
        for (String page : List.of("/streaming/", "/streaming/batch/")) {
            var m = Pattern.compile("(?:src|href)=\"(/static/[^\"]+)\"").matcher(http.get(page).body());
            while (m.find()) {
                refs.add(m.group(1));
            }
        }
        assertThat(refs).contains("/static/uplot/" + pages.uplotVersion() + "/uPlot.iife.min.js",
                "/static/uplot/" + pages.uplotVersion() + "/uPlot.min.css",
                "/static/sluice/streaming.js?v=" + pages.assetsVersion(),
                "/static/sluice/batch.js?v=" + pages.assetsVersion(),
                "/static/sluice/sluice.css?v=" + pages.assetsVersion());
        for (String ref : refs) {
            var r = http.get(ref);
            assertThat(r.statusCode()).as(ref).isEqualTo(200);
            String type = ref.contains(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            assertThat(r.headers().firstValue("Content-Type")).as(ref).hasValue(type);
            assertThat(r.headers().firstValue("Cache-Control")).as(ref).hasValue(StreamingPages.IMMUTABLE);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(ref).hasValue("nosniff");
            assertThat(r.body()).as(ref).isNotEmpty();
        }
        assertThat(pages.uplotVersion()).isEqualTo("1.6.30");
    }

    @Test
    void ownFilesAskedForWithoutTheCurrentHashMustBeRevalidated() {
        for (String path : List.of("/static/sluice/common.js", "/static/sluice/common.js?v=old")) {
            var r = http.get(path);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Cache-Control")).as(path).hasValue("no-cache");
        }
    }

    @Test
    void headGivesTheHeadersWithoutABody() {
        var r = http.send("HEAD", "/static/uplot/" + pages.uplotVersion() + "/uPlot.iife.min.js");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValueAsLong("Content-Length").orElse(0)).isGreaterThan(10_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/static/sluice/missing.js", "/static/sluice/streaming.html", "/static/uplot/9.9.9/uPlot.iife.min.js",
            "/static/uplot/1.6.30/uPlot.d.ts", "/static/uplot/1.6.30/missing.css", "/static/sluice/", "/streaming/nope"})
    void missingFilesAre404WithAJsonError(String path) {
        var r = http.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(((Map<?, ?>) Json.parse(r.body())).get("status")).isEqualTo(404L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/static/sluice/..%2F..%2F..%2Fio%2Fsluice%2Fui%2FUiServer.class",
        "/static/sluice/..%2Fstreaming.html",
        "/static/sluice/%2e%2e",
        "/static/sluice/..%5Cstreaming.html",
        "/static/sluice/.%2e%2Fbatch.html",
        "/static/uplot/1.6.30/..%2Fpackage.json",
        "/static/uplot/1.6.30/%2e%2e%2F%2e%2e%2F1.6.30%2FLICENSE",
        "/static/uplot/..%2F..%2F..%2F..%2Fmaven%2Forg.webjars.npm%2Fuplot%2Fpom.properties",
        "/static/sluice/../../../io/sluice/ui/web/streaming.html",
        "/static/uplot/1.6.30/../package.json",
        "/static/sluice/%00common.js",
        "/static/sluice/.hidden.js",
    })
    void pathTraversalIsRefused(String rawPath) throws IOException {
        // sent as is, with no client-side normalisation of dot segments or escapes
        String response = rawGet(rawPath);
        assertThat(response).as(rawPath).startsWith("HTTP/1.1 404");
        assertThat(response).doesNotContain("<!DOCTYPE").doesNotContain("\"version\"").doesNotContain("Permission is hereby granted");
    }

    @Test
    void namesAreCheckedBeforeAnyLookup() {
        assertThat(StaticAssets.isSafeName("uPlot.iife.min.js")).isTrue();
        assertThat(StaticAssets.isSafeName("sluice.css")).isTrue();
        for (String bad : List.of("..", "../x.js", "a/b.js", "a\\b.js", ".x.js", "x.class", "x", "", "x.js/", "%2e%2e.js",
                "x..js")) {
            assertThat(StaticAssets.isSafeName(bad)).as(bad).isFalse();
        }
        var assets = new StaticAssets(getClass().getClassLoader(), StreamingPages.OWN_ASSETS, "no-cache");
        assertThat(assets.find("common.js")).isPresent();
        assertThat(assets.find("../streaming.html")).isEmpty();
        assertThat(StaticAssets.contentType("a.JS")).hasValue("text/javascript; charset=utf-8");
    }

    private String rawGet(String rawPath) throws IOException {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
