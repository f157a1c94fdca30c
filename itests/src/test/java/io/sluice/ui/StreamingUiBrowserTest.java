package io.sluice.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sluice.api.StreamingContext;
import io.sluice.receiver.Await;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.testkit.StreamingTestKit;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The streaming web UI in a real headless Chromium, driven through the system's chromedriver (Debian's
 * {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs; Selenium Manager never downloads
 * anything). A job on local[3] (two receivers and a slot for tasks) with a manual clock runs three one-second
 * batches from two receivers (3+1, 0+2 and 5+0 records) with two output operations, the second of which fails in batch 2000 with a message full of markup.
 *
 * <p>Without the browser the test fails, naming what to install; developers without it can pass
 * {@code -Dsluice.skipBrowserTests=true}. Paths can be changed with {@code -Dsluice.chromium=...} and
 * {@code -Dsluice.chromedriver=...}. Screenshots go to {@code target/ui-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingUiBrowserTest {
    private static final Logger LOG = LogManager.getLogger(StreamingUiBrowserTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FAILURE = "boom <b>bold</b> & <img src=x onerror=\"document.title='pwned'\"> in batch 2000";
    private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

    private StreamingTestKit.Harness harness;
    private ChromeDriverService service;
    private ChromeDriver driver;
    private String url;

    @BeforeAll
    void runThreeBatchesAndOpenTheBrowser() {
        if (Boolean.getBoolean("sluice.skipBrowserTests")) {
            Assumptions.abort("browser tests skipped: -Dsluice.skipBrowserTests=true");
        }
        Path chromium = Path.of(System.getProperty("sluice.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("sluice.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            fail("The web UI's browser test needs headless Chromium and chromedriver at " + chromium + " and "
                    + chromedriver + ", and at least one of them is missing. Install them (Debian: apt-get install -y chromium "
                    + "chromium-driver, as .ci/run does), point -Dsluice.chromium and -Dsluice.chromedriver at them, "
                    + "or skip browser tests with -Dsluice.skipBrowserTests=true.");
        }

        // two task slots are held by the receivers, the third runs the batches' tasks
        harness = StreamingTestKit.create().master("local[3]").open();
        StreamingContext ssc = harness.context();
        var first = new ControlledReceiver<String>();
        var second = new ControlledReceiver<String>();
        ssc.receiverStream(first).foreachRDD(ds -> ds.count());
        ssc.receiverStream(second).foreachRDD((ds, time) -> {
            if (time.milliseconds() == 2000) {
                throw new IllegalStateException(FAILURE);
            }
        });
        harness.runBatches(0);
        Await.until("both receivers started", () -> first.isStarted() && second.isStarted(), WAIT);
        first.store(List.of("a", "b", "c"));
        second.store(List.of("x"));
        harness.runBatches(1);
        second.store(List.of("y", "z"));
        harness.runBatches(1);
        first.store(List.of("d", "e", "f", "g", "h"));
        harness.runBatches(1);
        url = ssc.uiServer().orElseThrow().url().toString();

        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        var options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1900", "--disable-extensions", "--no-first-run", "--lang=en-US");
        var logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    @AfterAll
    void close() {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (service != null) {
                service.stop();
            }
            if (harness != null) {
                harness.close();
            }
        }
    }

    @Test
    void theStreamingPageShowsTheBatchesAndABatchOpensItsDetailPage() {
        // "/" redirects to the streaming page, whose script fills it from the REST API
        driver.get(url + "/");
        new WebDriverWait(driver, WAIT).until(d -> d.getCurrentUrl().endsWith("/streaming/"));
        new WebDriverWait(driver, WAIT).withMessage(this::pageState).until(d -> js(
                "return window.sluiceUi !== undefined && window.sluiceUi.refreshes > 0"
                        + " && document.querySelectorAll('#completed-batches tbody tr[data-batch-id]').length === 3"));
        screenshot("streaming.png");

        assertThat(driver.findElement(By.id("summary")).getText())
                .startsWith("Running batches of 1 second for ")
                .contains(" since 1970/01/01 00:00:00 ")
                .endsWith("(3 completed batches, 11 records)");

        // each chart has one point per completed batch, oldest first, at the batch times (uPlot's x is in seconds)
        assertThat(chartData("inputRate")).containsExactly(List.of(1.0, 2.0, 3.0), List.of(3.0, 0.0, 5.0), List.of(1.0, 2.0, 0.0));
        assertThat(chartData("schedulingDelay")).containsExactly(List.of(1.0, 2.0, 3.0), List.of(0.0, 0.0, 0.0));
        assertThat(chartData("processingTime")).containsExactly(List.of(1.0, 2.0, 3.0), List.of(0.0, 0.0, 0.0),
                List.of(1000.0, 1000.0, 1000.0)); // the batch interval line
        assertThat(chartData("totalDelay")).containsExactly(List.of(1.0, 2.0, 3.0), List.of(0.0, 0.0, 0.0));
        @SuppressWarnings("unchecked")
        var labels = (List<String>) js("return window.sluiceUi.charts.inputRate.series.slice(1).map(s => s.label)");
        assertThat(labels).hasSize(2).allSatisfy(l -> assertThat(l).isNotBlank());
        assertThat(labels.get(0)).endsWith("[0]");
        assertThat(labels.get(1)).endsWith("[1]");
        for (String metric : List.of("inputRate", "schedulingDelay", "processingTime", "totalDelay")) {
            assertThat(driver.findElements(By.cssSelector("#chart-" + metric + " canvas"))).as(metric).isNotEmpty();
            long binned = 0;
            for (WebElement bar : driver.findElements(By.cssSelector("#hist-" + metric + " rect.bar"))) {
                binned += Long.parseLong(bar.getAttribute("data-count"));
            }
            assertThat(binned).as("batches in the histogram of " + metric).isEqualTo(3);
        }

        // the tables: nothing active, the three completed batches newest first, the failure shown as text
        assertThat(driver.findElement(By.id("active-count")).getText()).isEqualTo("0");
        assertThat(rowIds("#completed-batches")).containsExactly("3000", "2000", "1000");
        var failedRow = driver.findElement(By.cssSelector("#completed-batches tr[data-batch-id='2000']"));
        assertThat(failedRow.getText()).contains("2 records").contains("1/2").contains("(1 failed)")
                .contains("boom <b>bold</b> & <img src=x onerror=\"document.title='pwned'\"> in batch 2000");
        assertThat(driver.findElements(By.cssSelector("td.failure b, td.failure img"))).isEmpty();
        assertThat(driver.findElement(By.cssSelector("#completed-batches tr[data-batch-id='3000']")).getText())
                .contains("5 records").contains("2/2");
        assertThat(driver.getTitle()).doesNotContain("pwned");
        assertNoSevereConsoleEntries("the streaming page");

        // a click on a completed batch opens its page with its inputs and output operations
        driver.findElement(By.cssSelector("a.batch-link[data-batch-id='2000']")).click();
        new WebDriverWait(driver, WAIT).until(d -> d.getCurrentUrl().endsWith("/streaming/batch/?id=2000"));
        new WebDriverWait(driver, WAIT).withMessage(this::pageState).until(d -> js(
                "return window.sluiceBatch !== undefined && window.sluiceBatch.loaded > 0"));
        screenshot("batch.png");
        assertThat(driver.findElement(By.id("title")).getText()).isEqualTo("Details of batch at 1970/01/01 00:00:02");
        assertThat(driver.findElement(By.id("input-records")).getText()).isEqualTo("2 records");
        assertThat(driver.findElement(By.id("batch-duration")).getText()).isEqualTo("1 s");
        assertThat(driver.findElement(By.id("scheduling-delay")).getText()).isEqualTo("0 ms");
        assertThat(driver.findElement(By.id("processing-time")).getText()).isEqualTo("0 ms");
        assertThat(driver.findElement(By.id("total-delay")).getText()).isEqualTo("0 ms");
        assertThat(driver.findElement(By.cssSelector("#inputs tr[data-stream-id='0']")).getText()).contains("0 records");
        assertThat(driver.findElement(By.cssSelector("#inputs tr[data-stream-id='1']")).getText()).contains("2 records");
        var ok = driver.findElement(By.cssSelector("#operations tr[data-op-id='0']"));
        assertThat(ok.findElement(By.cssSelector("td.status")).getText()).isEqualTo("SUCCEEDED");
        assertThat(ok.getText()).contains("foreachRDD").contains("0 ms").contains("1970/01/01 00:00:02");
        var failed = driver.findElement(By.cssSelector("#operations tr[data-op-id='1']"));
        assertThat(failed.findElement(By.cssSelector("td.status")).getText()).isEqualTo("FAILED");
        assertThat(failed.findElement(By.cssSelector("td.failure")).getText())
                .contains("IllegalStateException: " + FAILURE);
        assertThat(driver.findElements(By.cssSelector("td.failure b, td.failure img"))).isEmpty();
        assertThat(driver.getTitle()).doesNotContain("pwned");
        assertNoSevereConsoleEntries("the batch page");

        // the console checks above would catch errors: an error logged now shows up
        js("console.error('sluice console probe')");
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll())
                .anySatisfy(e -> assertThat(e.getMessage()).contains("sluice console probe"));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /** A chart's data as uPlot holds it: x values, then one list per series; numbers as doubles. */
    @SuppressWarnings("unchecked")
    private List<List<Double>> chartData(String metric) {
        var raw = (List<List<Object>>) js("return window.sluiceUi.charts['" + metric + "'].data.map(s => Array.from(s))");
        var out = new ArrayList<List<Double>>();
        for (var series : raw) {
            var values = new ArrayList<Double>();
            series.forEach(v -> values.add(v == null ? null : ((Number) v).doubleValue()));
            out.add(values);
        }
        return out;
    }

    private List<String> rowIds(String table) {
        var ids = new ArrayList<String>();
        driver.findElements(By.cssSelector(table + " tbody tr[data-batch-id]")).forEach(r -> ids.add(r.getAttribute("data-batch-id")));
        return ids;
    }

    private void assertNoSevereConsoleEntries(String where) {
        var severe = new ArrayList<String>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            LOG.info("browser console on {}: {} {}", where, e.getLevel(), e.getMessage());
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(e.getMessage());
            }
        }
        assertThat(severe).as("SEVERE browser console entries on " + where).isEmpty();
    }

    private String pageState() {
        Object state = js("return JSON.stringify({url: location.href, error: (document.getElementById('error') || {}).textContent,"
                + " ui: window.sluiceUi && {refreshes: window.sluiceUi.refreshes, lastError: window.sluiceUi.lastError}})");
        return "the page did not load its data: " + state + "; console: " + driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    private void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path target = SCREENSHOTS.resolve(name);
            Files.move(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("screenshot of {} saved to {}", driver.getCurrentUrl(), target.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the screenshot " + name, e);
        }
    }
}
