/** The monitoring REST API under {@code /api/v1}, with the seed's and Spark's field names; see {@link io.sluice.ui.rest.StreamingRestApi}. */
package io.sluice.ui.rest;
