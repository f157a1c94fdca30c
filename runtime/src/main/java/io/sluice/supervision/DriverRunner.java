package io.sluice.supervision;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs a driver's main method in this JVM and says how it ended: a main class or {@code main(String[])} that does
 * not exist is a {@linkplain DriverOutcome.FailedPermanently permanent failure}; a main that throws (for example
 * because {@code awaitTermination()} threw a batch's failure) a {@linkplain DriverOutcome.Failed failure worth
 * retrying}; a main that returns a success. Used by {@link DriverMain} and by YARN's ApplicationMaster.
 */
public final class DriverRunner {
    private static final Logger LOG = LogManager.getLogger(DriverRunner.class);

    private DriverRunner() {
    }

    /** Runs {@code main} on the thread {@code sluice-driver} and waits for it (the driver decides how long it runs). */
    public static DriverOutcome run(String mainClass, String[] args, ClassLoader loader) {
        Method main;
        try {
            Class<?> c = Class.forName(mainClass, false, loader);
            main = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                return new DriverOutcome.FailedPermanently("Main class " + mainClass + " has no static main(String[]) method");
            }
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return new DriverOutcome.FailedPermanently("Main class " + mainClass
                    + " was not found in the application jar or Sluice's jars");
        } catch (NoSuchMethodException e) {
            return new DriverOutcome.FailedPermanently("Main class " + mainClass + " has no static main(String[]) method");
        }
        var result = new AtomicReference<DriverOutcome>(new DriverOutcome.Succeeded());
        Thread driver = new Thread(() -> {
            try {
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                result.set(DriverOutcome.Failed.of(e.getCause()));
            } catch (Throwable t) {
                result.set(DriverOutcome.Failed.of(t));
            }
        }, "sluice-driver");
        driver.setContextClassLoader(loader);
        driver.start();
        try {
            while (driver.isAlive()) {
                driver.join(60_000); // the driver runs as long as the job does; wake up to log it is alive
                if (driver.isAlive()) {
                    LOG.debug("driver {} still running", mainClass);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DriverOutcome.Failed.of(e);
        }
        return result.get();
    }
}
