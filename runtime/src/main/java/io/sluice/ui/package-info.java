/**
 * Monitoring of a running streaming application on the driver. {@link io.sluice.ui.StreamingJobProgressListener}
 * builds the data model (batches waiting, running and retained, receivers, totals) from listener-bus events;
 * {@link io.sluice.ui.UiServer} serves it over HTTP: the REST API ({@link io.sluice.ui.rest}), the metrics
 * ({@link io.sluice.metrics}) and the web UI pages ({@link io.sluice.ui.web}).
 * {@code StreamingContext} starts the server on start (with {@code sluice.ui.enabled}) and closes it on stop.
 */
package io.sluice.ui;
