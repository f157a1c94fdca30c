package io.sluice.examples;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Word count over text read from a TCP socket, one element per line: the classic network word count. Each batch's
 * most frequent words are printed. Runs until Ctrl-C (the context then stops on the JVM's shutdown hook), or for
 * the given number of seconds.
 */
public final class NetworkWordCount {
    private static final Logger LOG = LogManager.getLogger(NetworkWordCount.class);

    static final String USAGE = """
            Usage: NetworkWordCount [host] [port] [seconds] [batch] [master]
              host     host of the text server to connect to (default localhost)
              port     its port (default 9999)
              seconds  stop by itself after this many seconds; 0 runs until Ctrl-C (default 0)
              batch    batch interval, e.g. 1s or 500ms (default 1s)
              master   where to run (default: -Dsluice.master, else local[2])
            Feed it from another terminal first, e.g. with netcat, then type lines:
              nc -lk 9999
            or replay a file in a loop:
              while :; do cat README.md; sleep 0.5; done | nc -lk 9999""";

    private NetworkWordCount() {
    }

    public static void main(String[] args) throws InterruptedException {
        var a = ExampleArgs.parse(USAGE, args);
        String host = a.string(0, "host", "localhost");
        int port = a.integer(1, "port", 9999);
        Duration runFor = a.duration(2, "seconds", Duration.ZERO);
        Duration batch = a.duration(3, "batch", Duration.ofSeconds(1));
        var conf = new SluiceConf().setMaster(a.master(4)).setAppName("NetworkWordCount");

        var ssc = new StreamingContext(conf, batch);
        DStream<String> lines = ssc.socketTextStream(host, port);
        WordCount.mostFrequentFirst(WordCount.countWords(lines)).print();

        LOG.info("Counting words from {}:{} every {} ms on {}; {}", host, port, batch.toMillis(),
                conf.get(SluiceConf.MASTER), runFor.isZero() ? "Ctrl-C stops" : "stopping after " + runFor.toSeconds() + " s");
        try {
            ssc.start();
            if (runFor.isZero()) {
                ssc.awaitTermination();
            } else if (!ssc.awaitTerminationOrTimeout(runFor.toMillis())) {
                LOG.info("Ran for {} s; stopping gracefully", runFor.toSeconds());
            }
        } finally {
            ssc.stop(true);
        }
    }
}
