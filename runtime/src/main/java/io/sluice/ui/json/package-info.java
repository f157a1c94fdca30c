/** A dependency-free JSON writer and reader for the HTTP endpoints; see {@link io.sluice.ui.json.Json}. */
package io.sluice.ui.json;
