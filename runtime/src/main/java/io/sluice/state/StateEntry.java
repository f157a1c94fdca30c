package io.sluice.state;

import java.io.Serializable;

/** A key's state together with the batch time (ms) of its last update, which idle timeouts are measured from. */
public record StateEntry<S>(S value, long updatedAt) implements Serializable {
}
