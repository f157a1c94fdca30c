package io.sluice.ui.web;

import io.sluice.ui.http.NotFoundException;
import io.sluice.ui.http.Request;
import io.sluice.ui.http.Response;
import io.sluice.ui.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The streaming web UI: two HTML pages whose scripts read the REST API ({@code /api/v1/applications/{appId}/streaming/...})
 * and refresh themselves, and the files they load, all from the classpath (no CDN).
 *
 * <ul>
 *   <li>{@code /} redirects to {@code /streaming/};</li>
 *   <li>{@code /streaming/}: the header line, the four charts with their histograms, active and completed batches;</li>
 *   <li>{@code /streaming/batch/?id=<batch time ms>}: one batch, its inputs and output operations;</li>
 *   <li>{@code /static/sluice/{file}}: the pages' scripts and style sheet ({@code io/sluice/ui/web/static} on the
 *       classpath). The pages name them with {@code ?v=<hash of their contents>}: requested with the current hash
 *       they may be cached for good, otherwise the browser has to revalidate;</li>
 *   <li>{@code /static/uplot/{version}/{file}}: uPlot's {@code dist} folder from its webjar; the version is part of
 *       the path, so these are cached for good.</li>
 * </ul>
 *
 * <p>Everything the pages show comes from JSON and is inserted into the DOM as text, never as markup. The pages are
 * sent with a Content-Security-Policy that allows scripts, styles and requests to this server only.
 */
public final class StreamingPages {
    static final String OWN_ASSETS = "io/sluice/ui/web/static";
    static final List<String> OWN_FILES = List.of("sluice.css", "common.js", "streaming.js", "batch.js");
    static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final StaticAssets own;
    private final StaticAssets uplot;
    private final String uplotVersion;
    private final String assetsVersion;
    private final byte[] streamingPage;
    private final byte[] batchPage;

    /** Loads the pages and the UI's own files from {@code loader}; fails if any of them or uPlot's webjar is missing. */
    public StreamingPages(ClassLoader loader) {
        this.uplotVersion = webjarVersion(loader, UPLOT_POM);
        this.own = new StaticAssets(loader, OWN_ASSETS, REVALIDATE);
        this.uplot = new StaticAssets(loader, "META-INF/resources/webjars/uplot/" + uplotVersion + "/dist", IMMUTABLE);
        MessageDigest digest = sha256();
        for (String f : OWN_FILES) {
            var a = own.find(f).orElseThrow(() -> new IllegalStateException(
                    "the web UI's " + OWN_ASSETS + "/" + f + " is not on the classpath"));
            digest.update(a.body());
        }
        this.assetsVersion = HexFormat.of().formatHex(digest.digest(), 0, 6);
        this.streamingPage = page(loader, "streaming.html");
        this.batchPage = page(loader, "batch.html");
        if (uplot.find("uPlot.iife.min.js").isEmpty() || uplot.find("uPlot.min.css").isEmpty()) {
            throw new IllegalStateException("uPlot's webjar " + uplotVersion + " has no dist/uPlot.iife.min.js or dist/uPlot.min.css");
        }
    }

    /** The version of uPlot served (from its webjar). */
    public String uplotVersion() {
        return uplotVersion;
    }

    /** The hash of the UI's own files that the pages append to their URLs. */
    public String assetsVersion() {
        return assetsVersion;
    }

    public void mount(Router router) {
        router.get("/", r -> redirect("/streaming/"))
                .get("/streaming", r -> html(streamingPage))
                .get("/streaming/batch", r -> html(batchPage))
                .get("/static/sluice/{file}", this::ownAsset)
                .get("/static/uplot/{version}/{file}", r -> {
                    if (!r.param("version").equals(uplotVersion)) {
                        throw new NotFoundException("uPlot " + r.param("version") + " is not served (this is " + uplotVersion + ")");
                    }
                    return uplot.serve(r.param("file"));
                });
    }

    private Response ownAsset(Request r) {
        // cache for good only what was asked for under its current hash; anything else is revalidated
        return own.serve(r.param("file"), assetsVersion.equals(r.queryParam("v")) ? IMMUTABLE : REVALIDATE);
    }

    private static Response redirect(String location) {
        return new Response(302, "text/plain; charset=utf-8", ("see " + location).getBytes(StandardCharsets.UTF_8),
                Map.of("Location", location));
    }

    private static Response html(byte[] body) {
        return new Response(200, "text/html; charset=utf-8", body, Map.of(
                "Cache-Control", "no-cache",
                "Content-Security-Policy", CSP,
                "X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer"));
    }

    /** A page with {@code {{v}}} replaced by the assets' hash and {@code {{uplot}}} by uPlot's version. */
    private byte[] page(ClassLoader loader, String name) {
        String text = new String(read(loader, "io/sluice/ui/web/" + name), StandardCharsets.UTF_8);
        return text.replace("{{v}}", assetsVersion).replace("{{uplot}}", uplotVersion).getBytes(StandardCharsets.UTF_8);
    }

    private static String webjarVersion(ClassLoader loader, String pomProperties) {
        var p = new Properties();
        try (InputStream in = new java.io.ByteArrayInputStream(read(loader, pomProperties))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version");
        if (v == null || !v.matches("[0-9A-Za-z][0-9A-Za-z.-]*")) {
            throw new IllegalStateException(pomProperties + " names no usable version: " + v);
        }
        return v;
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath; the web UI cannot start");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
