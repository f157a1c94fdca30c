package io.sluice.supervision;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What a driver tells its supervisor about its progress, through a small local file
 * ({@code sluice.driver.progressFile}, chosen by the supervisor): when its streaming context started, when its
 * first and latest batches completed, how many completed. The driver writes it ({@link DriverProgressWriter}); the
 * supervisor reads it to report RUNNING and to judge health ({@link DriverRestartPolicy#isHealthy}).
 *
 * @param firstBatchMs -1 until a batch completed
 */
public record DriverProgress(long startedMs, long firstBatchMs, long lastBatchMs, long batches) {

    /** The progress in {@code file}, or empty if the driver has written none (yet) or it cannot be read. */
    public static Optional<DriverProgress> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        var p = new Properties();
        try (Reader r = new StringReader(text)) {
            p.load(r);
            return Optional.of(new DriverProgress(Long.parseLong(p.getProperty("started")),
                    Long.parseLong(p.getProperty("firstBatch")), Long.parseLong(p.getProperty("lastBatch")),
                    Long.parseLong(p.getProperty("batches"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // written by another version, or torn: the next read sees the next write
        }
    }

    /** Writes this progress to {@code file} atomically (a temporary file renamed into place). */
    public void write(Path file) throws IOException {
        String text = "started=" + startedMs + "\nfirstBatch=" + firstBatchMs + "\nlastBatch=" + lastBatchMs
                + "\nbatches=" + batches + "\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
