/**
 * Submission, written once for every cluster manager: the submitter SPI ({@link io.sluice.deploy.SubmitterFactory},
 * {@link io.sluice.deploy.Submitter}) found through {@link java.util.ServiceLoader} by master URL, the generic
 * application state ({@link io.sluice.deploy.ApplicationState}, {@link io.sluice.deploy.ApplicationStatus}), the status
 * poll loop ({@link io.sluice.deploy.StatusPoll}), and the staging of an application on a Hadoop file system
 * ({@link io.sluice.deploy.Staging}, with the content-addressed {@link io.sluice.deploy.JarCache}). A backend module
 * adds only what its cluster manager needs: how to start the driver there and how to ask it about applications.
 */
package io.sluice.deploy;
