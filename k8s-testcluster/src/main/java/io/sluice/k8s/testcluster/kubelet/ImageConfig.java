package io.sluice.k8s.testcluster.kubelet;

import java.util.List;
import java.util.Map;

/**
 * What the stand-in kubelet knows of an image (no image is pulled): its ENTRYPOINT, CMD, ENV and WORKDIR, with paths
 * as they are inside the image (the kubelet maps them to local files with its path mappings).
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, Map<String, String> env, String workingDir) {

  public ImageConfig {
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    env = Map.copyOf(env);
  }

  /** An image whose ENTRYPOINT is {@code entrypoint} and that has no CMD, ENV or WORKDIR. */
  public static ImageConfig entrypoint(String... entrypoint) {
    return new ImageConfig(List.of(entrypoint), List.of(), Map.of(), null);
  }
}
