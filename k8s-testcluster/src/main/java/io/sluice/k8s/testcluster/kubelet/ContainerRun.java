package io.sluice.k8s.testcluster.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One run of a container: a local process, its log file, and what the kubelet observed of it. */
final class ContainerRun {
  private static final String JVM_OOM_LINE = "Terminating due to java.lang.OutOfMemoryError";

  final Process process;
  final Path log;
  final Instant startedAt = Instant.now();
  /** Every descendant seen while it ran: a container's processes all die with it (its cgroup goes). */
  private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();
  volatile String oomKilledBecause;
  volatile boolean termSent;

  private ContainerRun(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ContainerRun start(List<String> command, Map<String, String> env, Path workingDir, Path log)
      throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    return new ContainerRun(pb.start(), log);
  }

  long pid() {
    return process.pid();
  }

  boolean running() {
    return process.isAlive();
  }

  /** Resident memory of the process and its descendants, in bytes (Linux /proc); refreshes the descendant set. */
  long residentBytes() {
    long total = rss(process.pid());
    for (ProcessHandle d : process.descendants().toList()) {
      descendants.add(d);
      total += rss(d.pid());
    }
    return total;
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or no procfs: counts as nothing
    }
    return 0;
  }

  /** SIGTERM to the container's main process, as the container runtime sends it to PID 1. */
  void terminate() {
    termSent = true;
    process.descendants().forEach(descendants::add);
    process.destroy();
  }

  /** SIGKILL to every process of the container. */
  void kill() {
    process.descendants().forEach(descendants::add);
    process.destroyForcibly();
    killLeftovers();
  }

  /** After the main process ended: what it left behind dies too. */
  void killLeftovers() {
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** Whether the JVM in the container ended on -XX:+ExitOnOutOfMemoryError (exit code 3 and its last words). */
  boolean jvmExitedOnOutOfMemory(int exitCode) {
    if (exitCode != 3) {
      return false;
    }
    try (var file = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, file.length() - 65536); // the JVM's last words are at the end
      byte[] tail = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(tail);
      return new String(tail, java.nio.charset.StandardCharsets.UTF_8).contains(JVM_OOM_LINE);
    } catch (IOException e) {
      return false;
    }
  }
}
