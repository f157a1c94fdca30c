package io.sluice.ui.web;

import io.sluice.ui.http.NotFoundException;
import io.sluice.ui.http.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Files of one classpath directory, served by name: {@code name} must be a single plain file name (letters, digits,
 * {@code .}, {@code _}, {@code -}, not starting with a dot) with a known extension, so that no request can reach
 * outside the directory ({@code ..}, slashes, backslashes and encoded forms of them are refused as unknown, 404).
 *
 * <p>A file is read from the class loader the first time it is asked for and then kept in memory (the directories
 * served hold a few small files). Thread-safe; {@link #serve} does no I/O after the first request of a name.
 */
public final class StaticAssets {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    /** A loaded file: its bytes and content type. */
    public record Asset(String name, String contentType, byte[] body) {
    }

    private final ClassLoader loader;
    private final String directory;
    private final String cacheControl;
    private final Map<String, Asset> loaded = new ConcurrentHashMap<>();

    /**
     * @param directory    the classpath directory, without leading or trailing slash
     *                     (e.g. {@code META-INF/resources/webjars/uplot/1.6.30/dist})
     * @param cacheControl the {@code Cache-Control} header of every file served
     */
    public StaticAssets(ClassLoader loader, String directory, String cacheControl) {
        if (directory.startsWith("/") || directory.endsWith("/")) {
            throw new IllegalArgumentException("a classpath directory has no leading or trailing '/': " + directory);
        }
        this.loader = loader;
        this.directory = directory;
        this.cacheControl = cacheControl;
    }

    /** The content type served for a file name, or empty when its extension is not one served. */
    public static Optional<String> contentType(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty()
                : Optional.ofNullable(CONTENT_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    /** True if {@code name} is a plain file name this class would look up at all. */
    public static boolean isSafeName(String name) {
        return SAFE_NAME.matcher(name).matches() && !name.contains("..") && contentType(name).isPresent();
    }

    /** The file, or empty when the name is refused or no such file exists. */
    public Optional<Asset> find(String name) {
        if (!isSafeName(name)) {
            return Optional.empty();
        }
        Asset cached = loaded.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = loader.getResourceAsStream(directory + "/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            var asset = new Asset(name, contentType(name).orElseThrow(), in.readAllBytes());
            loaded.putIfAbsent(name, asset);
            return Optional.of(asset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory + "/" + name + " from the classpath", e);
        }
    }

    /** A 200 response with the file, or a {@link NotFoundException} (404). */
    public Response serve(String name) {
        return serve(name, cacheControl);
    }

    /** Like {@link #serve(String)} with another {@code Cache-Control} header. */
    public Response serve(String name, String cacheControlHeader) {
        Asset a = find(name).orElseThrow(() -> new NotFoundException("no such file: " + name));
        return new Response(200, a.contentType(), a.body(), Map.of(
                "Cache-Control", cacheControlHeader,
                "X-Content-Type-Options", "nosniff"));
    }
}
