package io.sluice.k8s.testcluster.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * How a stand-in kubelet runs pods.
 *
 * @param nodeName the node it serves (pods bound to it)
 * @param workDir where each pod gets its directory (working directory, volumes, container logs)
 * @param pathMappings path prefixes inside images (e.g. {@code /opt/sluice}) to local directories; applied to the
 *     command, args, env values and working directory of every container (volume mounts are added per pod)
 * @param images image name (without tag or digest) to its ENTRYPOINT/CMD/ENV/WORKDIR
 * @param pullFailures images (matched against the full image reference) whose pull fails: ErrImagePull, then
 *     ImagePullBackOff
 * @param paperPods pods marked Running without a process (scale tests)
 * @param inheritedEnv host environment variables passed to every container (a container sees no other host env)
 * @param extraEnv added to every container's environment (e.g. KUBECONFIG: what stands in for the service-account
 *     volume, whose fixed path cannot exist here)
 * @param restartBackoff the first restart delay of a crashing container, doubled per restart up to 5 minutes
 *     (kubelet: 10 s)
 * @param memoryCheckInterval how often the resident memory of a container with a memory limit is checked
 */
public record KubeletConfig(String nodeName, Path workDir, Map<String, Path> pathMappings,
    Map<String, ImageConfig> images, Pattern pullFailures, Predicate<Pod> paperPods, List<String> inheritedEnv,
    Map<String, String> extraEnv, Duration restartBackoff, Duration memoryCheckInterval) {

  public static Builder builder(String nodeName, Path workDir) {
    return new Builder(nodeName, workDir);
  }

  /** Builds a {@link KubeletConfig}; defaults: no mappings or images, no pull failures or paper pods, 10 s back-off. */
  public static final class Builder {
    private final String nodeName;
    private final Path workDir;
    private final Map<String, Path> pathMappings = new LinkedHashMap<>();
    private final Map<String, ImageConfig> images = new LinkedHashMap<>();
    private Pattern pullFailures = Pattern.compile("a^"); // matches nothing
    private Predicate<Pod> paperPods = p -> false;
    private List<String> inheritedEnv = List.of("PATH", "JAVA_HOME", "LANG", "TZ");
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private Duration restartBackoff = Duration.ofSeconds(10);
    private Duration memoryCheckInterval = Duration.ofMillis(500);

    private Builder(String nodeName, Path workDir) {
      this.nodeName = nodeName;
      this.workDir = workDir;
    }

    /** Maps {@code imagePath} (a directory inside the images, e.g. /opt/sluice) to a local directory. */
    public Builder mapPath(String imagePath, Path local) {
      pathMappings.put(imagePath.replaceAll("/+$", ""), local.toAbsolutePath());
      return this;
    }

    /** Declares an image: {@code name} without tag, e.g. {@code sluice} for {@code registry/sluice:0.1}... */
    public Builder image(String name, ImageConfig config) {
      images.put(name, config);
      return this;
    }

    public Builder pullFailures(Pattern imagePattern) {
      this.pullFailures = imagePattern;
      return this;
    }

    public Builder paperPods(Predicate<Pod> which) {
      this.paperPods = which;
      return this;
    }

    public Builder inheritedEnv(List<String> names) {
      this.inheritedEnv = List.copyOf(names);
      return this;
    }

    public Builder env(String name, String value) {
      extraEnv.put(name, value);
      return this;
    }

    public Builder restartBackoff(Duration first) {
      this.restartBackoff = first;
      return this;
    }

    public Builder memoryCheckInterval(Duration interval) {
      this.memoryCheckInterval = interval;
      return this;
    }

    public KubeletConfig build() {
      return new KubeletConfig(nodeName, workDir, Map.copyOf(pathMappings), Map.copyOf(images), pullFailures,
          paperPods, inheritedEnv, Map.copyOf(extraEnv), restartBackoff, memoryCheckInterval);
    }
  }

  /** The image's name without registry-independent tag or digest: {@code reg:5000/a/sluice:0.1} gives {@code reg:5000/a/sluice}. */
  static String imageName(String image) {
    String s = image;
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    return colon > slash ? s.substring(0, colon) : s;
  }

  ImageConfig imageConfig(String image) {
    String name = imageName(image);
    ImageConfig c = images.get(name);
    if (c == null) {
      c = images.get(name.substring(name.lastIndexOf('/') + 1));
    }
    return c;
  }
}
