package io.sluice.examples;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Word count over a directory: every batch reads the text files that newly appeared in the input directory, counts
 * their words and writes the counts to {@code <outputPrefix>-<batchTimeMs>.txt/} (one directory of part files per
 * batch, on any Hadoop file system). Stops by itself, gracefully, after the given duration.
 */
public final class FileStreamWordCount {
    private static final Logger LOG = LogManager.getLogger(FileStreamWordCount.class);

    static final String USAGE = """
            Usage: FileStreamWordCount <inputDir> <outputPrefix> [seconds] [batch] [master]
              inputDir      directory to watch for new text files (a local path is created if missing;
                            hdfs://... and other Hadoop file systems work too)
              outputPrefix  each batch's counts go to directory <outputPrefix>-<batchTimeMs>.txt
              seconds       stop by itself after this many seconds (default 30)
              batch         batch interval, e.g. 2s or 500ms (default 2s)
              master        where to run (default: -Dsluice.master, else local[2])
            Only files that appear after the start are read. Write a file elsewhere and move it in, so that it
            appears whole:
              cp README.md /tmp/words.txt && mv /tmp/words.txt <inputDir>/""";

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://");

    private FileStreamWordCount() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        var a = ExampleArgs.parse(USAGE, args);
        String inputDir = a.string(0, "inputDir", null);
        String outputPrefix = a.string(1, "outputPrefix", null);
        Duration runFor = a.duration(2, "seconds", Duration.ofSeconds(30));
        Duration batch = a.duration(3, "batch", Duration.ofSeconds(2));
        var conf = new SluiceConf().setMaster(a.master(4)).setAppName("FileStreamWordCount");

        createIfLocal(inputDir);
        var ssc = new StreamingContext(conf, batch);
        DStream<String> lines = ssc.textFileStream(inputDir);
        WordCount.countWords(lines).saveAsTextFiles(outputPrefix, "txt");

        LOG.info("Watching {} every {} ms on {}; writing {}-<batchTimeMs>.txt; stopping after {} s", inputDir,
                batch.toMillis(), conf.get(SluiceConf.MASTER), outputPrefix, runFor.toSeconds());
        try {
            ssc.start();
            if (!ssc.awaitTerminationOrTimeout(runFor.toMillis())) {
                LOG.info("Ran for {} s; stopping gracefully", runFor.toSeconds());
            }
        } finally {
            ssc.stop(true);
        }
    }

    /** Creates the input directory when it is on the local file system (a plain path or a file: URI). */
    private static void createIfLocal(String dir) throws IOException {
        if (dir.startsWith("file:")) {
            Files.createDirectories(Path.of(URI.create(dir)));
        } else if (!SCHEME.matcher(dir).lookingAt()) {
            Files.createDirectories(Path.of(dir));
        }
    }
}
