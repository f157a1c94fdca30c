/**
 * The streaming web UI on the driver's HTTP server: {@link io.sluice.ui.web.StreamingPages} mounts the pages and
 * their files, {@link io.sluice.ui.web.StaticAssets} serves files of a classpath directory by plain name. The pages
 * are static HTML; their scripts ({@code io/sluice/ui/web/static}) read the REST API and draw the charts with uPlot,
 * served from its webjar.
 */
package io.sluice.ui.web;
