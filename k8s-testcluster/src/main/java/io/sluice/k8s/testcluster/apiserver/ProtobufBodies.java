package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Decodes the protobuf request bodies kubectl's typed commands send ({@code kubectl create namespace|configmap|secret|
 * serviceaccount}): the {@code k8s\0} envelope (runtime.Unknown) around a ConfigMap, Secret, Namespace or
 * ServiceAccount, with the field numbers of k8s.io/api's generated.proto. Other kinds are refused with 415, as a
 * server without the codec would.
 */
final class ProtobufBodies {
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  private ProtobufBodies() {}

  /** A protobuf field: its number, wire type and value (a varint, or the bytes of a length-delimited field). */
  private record Field(int number, int wireType, long varint, byte[] bytes) {
    String string() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  static ObjectNode decode(byte[] body) {
    if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
      throw unsupported("the protobuf body has no k8s envelope");
    }
    String apiVersion = null;
    String kind = null;
    byte[] raw = null;
    for (Field f : fields(body, 4, body.length)) {
      if (f.number() == 1) {
        for (Field t : fields(f.bytes())) {
          if (t.number() == 1) {
            apiVersion = t.string();
          } else if (t.number() == 2) {
            kind = t.string();
          }
        }
      } else if (f.number() == 2) {
        raw = f.bytes();
      }
    }
    if (kind == null || raw == null) {
      throw unsupported("the protobuf envelope names no kind");
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("apiVersion", apiVersion).put("kind", kind);
    switch (apiVersion + "/" + kind) {
      case "v1/ConfigMap" -> {
        for (Field f : fields(raw)) {
          switch (f.number()) {
            case 1 -> o.set("metadata", objectMeta(f.bytes()));
            case 2 -> mapEntry(Json.object(o, "data"), f.bytes(), false);
            case 3 -> mapEntry(Json.object(o, "binaryData"), f.bytes(), true);
            case 4 -> o.put("immutable", f.varint() != 0);
            default -> { }
          }
        }
      }
      case "v1/Secret" -> {
        for (Field f : fields(raw)) {
          switch (f.number()) {
            case 1 -> o.set("metadata", objectMeta(f.bytes()));
            case 2 -> mapEntry(Json.object(o, "data"), f.bytes(), true);
            case 3 -> o.put("type", f.string());
            case 4 -> mapEntry(Json.object(o, "stringData"), f.bytes(), false);
            case 5 -> o.put("immutable", f.varint() != 0);
            default -> { }
          }
        }
      }
      case "v1/Namespace", "v1/ServiceAccount" -> {
        for (Field f : fields(raw)) {
          if (f.number() == 1) {
            o.set("metadata", objectMeta(f.bytes()));
          } else if (kind.equals("ServiceAccount") && f.number() == 4) {
            o.put("automountServiceAccountToken", f.varint() != 0);
          }
        }
      }
      default -> throw unsupported("protobuf bodies of " + apiVersion + "/" + kind + " are not decoded by the "
          + "stand-in API server; send JSON (e.g. kubectl apply -f)");
    }
    return o;
  }

  private static ObjectNode objectMeta(byte[] bytes) {
    ObjectNode m = Json.MAPPER.createObjectNode();
    for (Field f : fields(bytes)) {
      switch (f.number()) {
        case 1 -> m.put("name", f.string());
        case 2 -> m.put("generateName", f.string());
        case 3 -> m.put("namespace", f.string());
        case 11 -> mapEntry(Json.object(m, "labels"), f.bytes(), false);
        case 12 -> mapEntry(Json.object(m, "annotations"), f.bytes(), false);
        case 13 -> {
          ObjectNode ref = m.withArray("ownerReferences").addObject();
          for (Field r : fields(f.bytes())) {
            switch (r.number()) {
              case 1 -> ref.put("kind", r.string());
              case 3 -> ref.put("name", r.string());
              case 4 -> ref.put("uid", r.string());
              case 5 -> ref.put("apiVersion", r.string());
              case 6 -> ref.put("controller", r.varint() != 0);
              case 7 -> ref.put("blockOwnerDeletion", r.varint() != 0);
              default -> { }
            }
          }
        }
        case 14 -> ((ArrayNode) m.withArray("finalizers")).add(f.string());
        default -> { }
      }
    }
    return m;
  }

  private static void mapEntry(ObjectNode target, byte[] entry, boolean bytesValue) {
    String key = null;
    byte[] value = new byte[0];
    for (Field f : fields(entry)) {
      if (f.number() == 1) {
        key = f.string();
      } else if (f.number() == 2) {
        value = f.bytes();
      }
    }
    if (key != null) {
      target.put(key, bytesValue ? Base64.getEncoder().encodeToString(value)
          : new String(value, StandardCharsets.UTF_8));
    }
  }

  private static List<Field> fields(byte[] b) {
    return fields(b, 0, b.length);
  }

  private static List<Field> fields(byte[] b, int from, int to) {
    List<Field> out = new ArrayList<>();
    int[] pos = {from};
    while (pos[0] < to) {
      long tag = varint(b, pos);
      int number = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      switch (wire) {
        case 0 -> out.add(new Field(number, wire, varint(b, pos), null));
        case 1 -> pos[0] += 8;
        case 2 -> {
          int len = (int) varint(b, pos);
          if (len < 0 || pos[0] + len > to) {
            throw unsupported("malformed protobuf body");
          }
          byte[] v = new byte[len];
          System.arraycopy(b, pos[0], v, 0, len);
          pos[0] += len;
          out.add(new Field(number, wire, 0, v));
        }
        case 5 -> pos[0] += 4;
        default -> throw unsupported("malformed protobuf body (wire type " + wire + ")");
      }
    }
    return out;
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw unsupported("malformed protobuf body (truncated varint)");
      }
      byte x = b[pos[0]++];
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw unsupported("malformed protobuf body (varint too long)");
  }

  private static ApiException unsupported(String why) {
    return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
        + "accepted media types include: application/json, application/yaml (" + why + ")");
  }
}
