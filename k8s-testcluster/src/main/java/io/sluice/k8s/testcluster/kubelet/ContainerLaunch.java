package io.sluice.k8s.testcluster.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a pod's container into a local process launch, as a container runtime would start it from the image: the
 * command per Kubernetes' rules (command/args over the image's ENTRYPOINT/CMD, with {@code $(VAR)} expansion), the
 * environment (image ENV, env and envFrom with fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef, and what
 * the kubelet injects), volumes (configMap, secret, emptyDir, hostPath) materialised in the pod's directory, and every
 * path inside the image or a mount mapped to a local one.
 */
final class ContainerLaunch {
  private static final Pattern VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  /** Why a container cannot be created; reported as the waiting reason. */
  static final class LaunchException extends Exception {
    final String reason;

    LaunchException(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  record Launch(List<String> command, Map<String, String> env, Path workingDir) {}

  private ContainerLaunch() {}

  /** Writes the pod's volumes under {@code podDir/volumes}; returns volume name to local directory. */
  static Map<String, Path> volumes(Pod pod, Path podDir, KubernetesClient client) throws LaunchException {
    Map<String, Path> out = new LinkedHashMap<>();
    String ns = pod.getMetadata().getNamespace();
    for (Volume v : pod.getSpec().getVolumes()) {
      Path dir = podDir.resolve("volumes").resolve(v.getName());
      try {
        if (v.getHostPath() != null) {
          out.put(v.getName(), Path.of(v.getHostPath().getPath()));
          continue;
        }
        Files.createDirectories(dir);
        if (v.getConfigMap() != null) {
          ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
          if (cm == null) {
            if (Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
              out.put(v.getName(), dir);
              continue;
            }
            throw new LaunchException("ContainerCreating", "MountVolume.SetUp failed for volume \"" + v.getName()
                + "\" : configmap \"" + v.getConfigMap().getName() + "\" not found");
          }
          Map<String, byte[]> files = new LinkedHashMap<>();
          if (cm.getData() != null) {
            cm.getData().forEach((k, val) -> files.put(k, val.getBytes(StandardCharsets.UTF_8)));
          }
          if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, val) -> files.put(k, Base64.getDecoder().decode(val)));
          }
          write(dir, files, v.getConfigMap().getItems());
        } else if (v.getSecret() != null) {
          Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
          if (s == null) {
            throw new LaunchException("ContainerCreating", "MountVolume.SetUp failed for volume \"" + v.getName()
                + "\" : secret \"" + v.getSecret().getSecretName() + "\" not found");
          }
          Map<String, byte[]> files = new LinkedHashMap<>();
          if (s.getData() != null) {
            s.getData().forEach((k, val) -> files.put(k, Base64.getDecoder().decode(val)));
          }
          if (s.getStringData() != null) {
            s.getStringData().forEach((k, val) -> files.put(k, val.getBytes(StandardCharsets.UTF_8)));
          }
          write(dir, files, v.getSecret().getItems());
        }
        out.put(v.getName(), dir); // emptyDir and anything else: an empty directory
      } catch (IOException e) {
        throw new LaunchException("CreateContainerError", "cannot set up volume " + v.getName() + ": " + e);
      }
    }
    return out;
  }

  private static void write(Path dir, Map<String, byte[]> files, List<KeyToPath> items) throws IOException {
    if (items != null && !items.isEmpty()) {
      for (KeyToPath item : items) {
        if (files.containsKey(item.getKey())) {
          Path f = dir.resolve(item.getPath());
          Files.createDirectories(f.getParent());
          Files.write(f, files.get(item.getKey()));
        }
      }
    } else {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Files.write(dir.resolve(e.getKey()), e.getValue());
      }
    }
  }

  static Launch resolve(KubeletConfig config, Pod pod, Container c, Map<String, Path> volumes, Path podDir,
      Map<String, String> injectedEnv, KubernetesClient client) throws LaunchException {
    ImageConfig image = config.imageConfig(c.getImage());
    List<String> command = new ArrayList<>();
    List<String> args = new ArrayList<>();
    boolean hasCommand = c.getCommand() != null && !c.getCommand().isEmpty();
    boolean hasArgs = c.getArgs() != null && !c.getArgs().isEmpty();
    if (hasCommand) {
      command.addAll(c.getCommand());
    } else if (image != null) {
      command.addAll(image.entrypoint());
    }
    if (hasArgs) {
      args.addAll(c.getArgs());
    } else if (!hasCommand && image != null) {
      args.addAll(image.cmd());
    }
    command.addAll(args);
    if (command.isEmpty()) {
      throw new LaunchException("CreateContainerError", image == null
          ? "stand-in kubelet: image \"" + c.getImage() + "\" is not declared (KubeletConfig.image) and the "
              + "container has no command"
          : "no command specified");
    }
    // mounts first (longest path wins), then the image-wide mappings
    Map<String, Path> mappings = new LinkedHashMap<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      Path dir = volumes.get(m.getName());
      if (dir == null) {
        throw new LaunchException("CreateContainerConfigError", "volume mount " + m.getName()
            + " refers to no volume of the pod");
      }
      mappings.put(m.getMountPath().replaceAll("/+$", ""),
          m.getSubPath() == null || m.getSubPath().isEmpty() ? dir : dir.resolve(m.getSubPath()));
    }
    mappings.putAll(config.pathMappings());
    List<Map.Entry<String, Path>> ordered = new ArrayList<>(mappings.entrySet());
    ordered.sort(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed());

    Map<String, String> env = new LinkedHashMap<>();
    for (String name : config.inheritedEnv()) {
      String v = System.getenv(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.put("HOME", podDir.toString());
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.putAll(injectedEnv);
    if (image != null) {
      image.env().forEach((k, v) -> env.put(k, map(ordered, v)));
    }
    String ns = pod.getMetadata().getNamespace();
    for (EnvFromSource from : c.getEnvFrom()) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      if (from.getConfigMapRef() != null) {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
        if (cm == null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
          throw new LaunchException("CreateContainerConfigError", "configmap \"" + from.getConfigMapRef().getName()
              + "\" not found");
        }
        if (cm != null && cm.getData() != null) {
          cm.getData().forEach((k, v) -> env.put(prefix + k, v));
        }
      }
      if (from.getSecretRef() != null) {
        Secret s = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
        if (s == null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
          throw new LaunchException("CreateContainerConfigError", "secret \"" + from.getSecretRef().getName()
              + "\" not found");
        }
        if (s != null && s.getData() != null) {
          s.getData().forEach((k, v) -> env.put(prefix + k, new String(Base64.getDecoder().decode(v),
              StandardCharsets.UTF_8)));
        }
      }
    }
    for (EnvVar e : c.getEnv()) {
      env.put(e.getName(), map(ordered, e.getValueFrom() == null
          ? expand(e.getValue() == null ? "" : e.getValue(), env)
          : valueFrom(pod, c, e, client)));
    }
    env.putAll(config.extraEnv());
    List<String> resolved = new ArrayList<>();
    for (String part : command) {
      resolved.add(map(ordered, expand(part, env)));
    }
    String wd = c.getWorkingDir() != null && !c.getWorkingDir().isEmpty() ? c.getWorkingDir()
        : image != null ? image.workingDir() : null;
    Path workingDir = wd == null ? podDir.resolve("work") : Path.of(map(ordered, wd));
    try {
      Files.createDirectories(workingDir);
    } catch (IOException e) {
      throw new LaunchException("CreateContainerError", "cannot create the working directory " + workingDir);
    }
    return new Launch(resolved, env, workingDir);
  }

  private static String valueFrom(Pod pod, Container c, EnvVar e, KubernetesClient client) throws LaunchException {
    var from = e.getValueFrom();
    String ns = pod.getMetadata().getNamespace();
    if (from.getFieldRef() != null) {
      String path = from.getFieldRef().getFieldPath();
      Matcher label = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)']").matcher(path);
      if (label.matches()) {
        Map<String, String> m = label.group(1).equals("labels") ? pod.getMetadata().getLabels()
            : pod.getMetadata().getAnnotations();
        return m == null ? "" : m.getOrDefault(label.group(2), "");
      }
      return switch (path) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> ns;
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.nodeName" -> pod.getSpec().getNodeName();
        case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
        case "status.podIP", "status.hostIP" -> "127.0.0.1";
        case "status.podIPs", "status.hostIPs" -> "127.0.0.1";
        default -> throw new LaunchException("CreateContainerConfigError", "unsupported fieldPath " + path);
      };
    }
    if (from.getResourceFieldRef() != null) {
      var ref = from.getResourceFieldRef();
      var resources = c.getResources();
      String res = ref.getResource();
      Map<String, Quantity> m = res.startsWith("limits.") ? resources.getLimits() : resources.getRequests();
      Quantity q = m == null ? null : m.get(res.substring(res.indexOf('.') + 1));
      if (q == null) {
        return "0";
      }
      BigDecimal amount = q.getNumericalAmount();
      BigDecimal divisor = ref.getDivisor() == null ? BigDecimal.ONE : ref.getDivisor().getNumericalAmount();
      return amount.divide(divisor, 0, java.math.RoundingMode.CEILING).toPlainString();
    }
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
      String v = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
      if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new LaunchException("CreateContainerConfigError", cm == null ? "configmap \"" + ref.getName()
            + "\" not found" : "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
      }
      return v == null ? "" : v;
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      String v = s == null || s.getData() == null ? null : s.getData().get(ref.getKey());
      if (v == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new LaunchException("CreateContainerConfigError", s == null ? "secret \"" + ref.getName()
            + "\" not found" : "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
      }
      return v == null ? "" : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
    }
    return "";
  }

  /** Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes, undefined references stay. */
  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String rep = m.group().equals("$$") ? "$" : env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(rep));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Replaces image paths (a mapped prefix at a path boundary) with their local directories. */
  static String map(List<Map.Entry<String, Path>> ordered, String s) {
    String out = s;
    for (Map.Entry<String, Path> e : ordered) {
      Pattern p = Pattern.compile("(?<![\\w.-])" + Pattern.quote(e.getKey()) + "(?=/|$|[^\\w.-])");
      out = p.matcher(out).replaceAll(Matcher.quoteReplacement(e.getValue().toString()));
    }
    return out;
  }
}
