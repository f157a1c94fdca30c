package io.sluice.k8s.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real kubectl binary against the stand-in cluster with its own kubeconfig and {@code --cache-dir}, so tests
 * never share discovery caches or touch the user's {@code ~/.kube}.
 */
public final class Kubectl {
  /** What a kubectl run printed and how it ended; {@code exitCode} is -1 when it was stopped (a watch). */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** stdout then stderr, for assertion messages. */
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** A kubectl that keeps running (e.g. {@code get -w}): read its output so far, then stop it. */
  public final class Running implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private Running(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    public String stdoutSoFar() {
      return read(out);
    }

    /** Stops it (SIGTERM, as Ctrl-C would) and returns everything it printed. */
    public Result stop() {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Result(-1, read(out), read(err));
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        stop();
      }
    }
  }

  private final Path binary;
  private final Path kubeconfig;
  private final Path cacheDir;
  private final Path workDir;
  private final AtomicInteger runs = new AtomicInteger();

  /**
   * @param workDir where its cache directory and output files go
   */
  public Kubectl(Path binary, Path kubeconfig, Path workDir) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
    this.cacheDir = workDir.resolve("kube-cache");
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** Runs {@code kubectl args...} and waits for it (at most 2 minutes). */
  public Result run(String... args) {
    return run(Duration.ofMinutes(2), args);
  }

  public Result run(Duration timeout, String... args) {
    Running r = start(args);
    try {
      if (!r.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        Result partial = r.stop();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within " + timeout
            + "\n" + partial);
      }
      return new Result(r.process.exitValue(), read(r.out), read(r.err));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r.stop();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Starts {@code kubectl args...} without waiting for it. */
  public Running start(String... args) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", cacheDir.toString()));
    Collections.addAll(cmd, args);
    try {
      Files.createDirectories(workDir);
      int n = runs.incrementAndGet();
      Path out = workDir.resolve("kubectl-" + n + ".out");
      Path err = workDir.resolve("kubectl-" + n + ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("KUBECONFIG");
      pb.environment().put("HOME", workDir.toString());
      return new Running(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
