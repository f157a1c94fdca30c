/**
 * Monitoring of a running streaming application on the driver. {@link io.sluice.ui.StreamingJobProgressListener}
 * builds the data model (batches waiting, running and retained, receivers, totals) from listener-bus events;
 * {@link io.sluice.ui.UiServer} serves it over HTTP: the REST API ({@link io.sluice.ui.rest}), the metrics
 * ({@link io.sluice.metrics}) and, later, the UI pages, which mount their routes on {@link io.sluice.ui.UiServer#router()}.
 * {@code StreamingContext} starts the server on start (with {@code sluice.ui.enabled}) and closes it on stop.
 */
package io.sluice.ui;
