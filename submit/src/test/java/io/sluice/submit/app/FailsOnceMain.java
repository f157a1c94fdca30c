package io.sluice.submit.app;

/** A driver for {@code sluice-submit --supervise}: attempt 1 ({@code sluice.app.attempt}) throws, later ones return. */
public final class FailsOnceMain {
    private FailsOnceMain() {
    }

    public static void main(String[] args) {
        int attempt = Integer.parseInt(System.getProperty("sluice.app.attempt", "1"));
        if (attempt == 1) {
            throw new IllegalStateException("planned failure of attempt " + attempt);
        }
    }
}
