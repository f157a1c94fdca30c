package io.sluice.yarn.app;

import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The application of YarnSubmissionOptionsTest: it needs what {@code --jars} and {@code --files} ship. The driver
 * reads {@value #FILE} from its working directory and passes it through {@code io.sluice.yarn.helper.Shouter}
 * (loaded by name: it is in another jar than this one); every batch, the executors do the same with their own copy of
 * the file, and save {@code <driver's result>|<executor's result for x or y>} lines with saveAsTextFiles.
 *
 * <p>Arguments: {@code <output prefix> <N> [<marker path>]}: it stops once N batches completed and, when a marker
 * path (on the cluster's file system) is given, the marker exists — so a test can look at the running application.
 */
public final class YarnSubmitOptionsApp {
    public static final String FILE = "greeting.txt";
    private static final Logger LOG = LogManager.getLogger(YarnSubmitOptionsApp.class);

    private YarnSubmitOptionsApp() {
    }

    public static void main(String[] args) throws Exception {
        run(new SluiceConf(), args, Path.of("")); // sluice.master=yarn and the rest come from the ApplicationMaster
    }

    /**
     * The job on {@code conf}; the driver reads {@value #FILE} from {@code driverDir} (client deploy mode: the test
     * JVM is the driver, and only containers get the {@code --files}).
     */
    public static void run(SluiceConf conf, String[] args, Path driverDir) throws Exception {
        String output = args[0];
        int batches = Integer.parseInt(args[1]);
        var marker = args.length > 2 ? new org.apache.hadoop.fs.Path(args[2]) : null;
        String driverSide = shout(greeting(driverDir));
        LOG.info("Driver read {} from its working directory: {}", FILE, driverSide);

        var ssc = new StreamingContext(conf, Duration.ofMillis(500));
        ssc.constantStream(ssc.parallelize(List.of("x", "y"), 2))
                .map(w -> driverSide + "|" + shout(w + " " + greeting(Path.of(""))))
                .saveAsTextFiles(output, "txt");
        var completed = new AtomicInteger();
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                completed.incrementAndGet();
            }
        });
        ssc.start();
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (completed.get() < batches || marker != null && !marker.getFileSystem(new Configuration()).exists(marker)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(completed.get() + " batches completed, marker " + marker
                            + " not seen within 4 minutes");
                }
                Thread.sleep(200);
            }
            LOG.info("{} batches completed; stopping", completed.get());
        } finally {
            ssc.stop(true, true);
        }
    }

    /** {@value #FILE} of {@code dir} (the empty path: the working directory), stripped. */
    static String greeting(Path dir) {
        try {
            return Files.readString(dir.resolve(FILE)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("no " + FILE + " in " + dir.toAbsolutePath(), e);
        }
    }

    /** {@code io.sluice.yarn.helper.Shouter.shout(s)}, the class loaded by name from the class path. */
    static String shout(String s) {
        try {
            Class<?> c = Class.forName("io.sluice.yarn.helper.Shouter", true, YarnSubmitOptionsApp.class.getClassLoader());
            return (String) c.getMethod("shout", String.class).invoke(null, s);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the helper class is not on the class path (--jars)", e);
        }
    }
}
