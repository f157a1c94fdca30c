package io.sluice.submit;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.Submitter;
import io.sluice.deploy.SubmitterFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A cluster manager that exists only in this test JVM, installed the way a real backend is (a
 * {@code META-INF/services/io.sluice.deploy.SubmitterFactory} entry on the class loader sluice-submit searches): it claims
 * {@code fake://<cluster>} masters and ids {@code fake_<cluster>_<n>}. A submitted application goes SUBMITTED, RUNNING,
 * then SUCCEEDED (FAILED when its main class is {@link #FAILING_MAIN}) one status call at a time, so following it
 * exercises the shared status loop. Each cluster records what was asked of it.
 */
public final class FakeSubmitterFactory implements SubmitterFactory {
    static final String FAILING_MAIN = "com.example.FailingMain";
    private static final Pattern ID = Pattern.compile("fake_([a-z0-9]+)_\\d+");
    /** Clusters by name; ServiceLoader makes the factory, so the test reaches its cluster here. */
    private static final Map<String, Cluster> CLUSTERS = new ConcurrentHashMap<>();

    /** One fake cluster: its applications and the calls it received, in order. */
    static final class Cluster {
        final String name;
        final Map<String, App> apps = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        Cluster(String name) {
            this.name = name;
        }
    }

    /** An application and the states it still has to go through. */
    static final class App {
        final SubmitRequest request;
        final List<ApplicationState> ahead;
        ApplicationState state = ApplicationState.SUBMITTED;

        App(SubmitRequest request, List<ApplicationState> ahead) {
            this.request = request;
            this.ahead = new ArrayList<>(ahead);
        }
    }

    static Cluster cluster(String name) {
        return CLUSTERS.computeIfAbsent(name, Cluster::new);
    }

    private static String clusterOf(String masterUrl) {
        return masterUrl.trim().substring("fake://".length());
    }

    @Override
    public boolean supports(String masterUrl) {
        return masterUrl != null && masterUrl.trim().startsWith("fake://");
    }

    @Override
    public String masterForm() {
        return "fake://<cluster>";
    }

    @Override
    public boolean ownsApplicationId(String appId) {
        return appId != null && ID.matcher(appId).matches();
    }

    @Override
    public String applicationIdForm() {
        return "fake_<cluster>_<n>";
    }

    @Override
    public Submitter create(SluiceConf conf, Map<String, String> environment, Consumer<String> progress) {
        String master = conf.get(SluiceConf.MASTER);
        return new FakeSubmitter(supports(master) ? cluster(clusterOf(master)) : null, conf, progress);
    }

    private static final class FakeSubmitter implements Submitter {
        private final Cluster fixed;
        private final SluiceConf conf;
        private final Consumer<String> progress;

        FakeSubmitter(Cluster fixed, SluiceConf conf, Consumer<String> progress) {
            this.fixed = fixed;
            this.conf = conf;
            this.progress = progress;
        }

        /** The cluster of --master, else the one the id names (status and kill without --master). */
        private Cluster clusterFor(String appId) {
            if (fixed != null) {
                return fixed;
            }
            var m = ID.matcher(appId);
            if (!m.matches()) {
                throw new SubmitException("'" + appId + "' is not a fake application id");
            }
            return cluster(m.group(1));
        }

        private App app(String appId) {
            App app = clusterFor(appId).apps.get(appId);
            if (app == null) {
                throw new SubmitException("fake: no application " + appId);
            }
            return app;
        }

        @Override
        public String submit(SubmitRequest request) {
            String id = "fake_" + fixed.name + "_" + (fixed.apps.size() + 1);
            var end = request.mainClass().equals(FAILING_MAIN) ? ApplicationState.FAILED : ApplicationState.SUCCEEDED;
            fixed.apps.put(id, new App(request, List.of(ApplicationState.RUNNING, end)));
            fixed.calls.add("submit " + request.mainClass() + " " + request.appArgs());
            progress.accept("fake: accepted " + id);
            return id;
        }

        @Override
        public ApplicationStatus status(String appId) {
            App app = app(appId);
            clusterFor(appId).calls.add("status " + appId);
            synchronized (app) {
                var now = status(appId, app);
                if (!app.state.isTerminal() && !app.ahead.isEmpty()) {
                    app.state = app.ahead.remove(0);
                }
                return now;
            }
        }

        private static ApplicationStatus status(String appId, App app) {
            return new ApplicationStatus(appId, app.request.conf().get(SluiceConf.APP_NAME), "fake queue", app.state,
                    "FAKE_" + app.state, "", "", app.state == ApplicationState.FAILED ? "the driver threw" : "");
        }

        @Override
        public void kill(String appId) {
            App app = app(appId);
            clusterFor(appId).calls.add("kill " + appId);
            synchronized (app) {
                app.state = ApplicationState.KILLED;
            }
        }

        @Override
        public List<ApplicationStatus> list() {
            if (fixed == null) {
                throw new SubmitException("fake: list needs the master of a cluster");
            }
            fixed.calls.add("list");
            return fixed.apps.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> status(e.getKey(), e.getValue())).toList();
        }

        @Override
        public void cleanUp(String appId) {
            clusterFor(appId).calls.add("cleanUp " + appId);
        }

        @Override
        public Duration statusInterval() {
            return conf.get(SluiceConf.SUBMIT_STATUS_INTERVAL);
        }

        @Override
        public void close() {
            if (fixed != null) {
                fixed.calls.add("close");
            }
        }
    }
}
