package io.hubspoke.core.model;

import java.time.Instant;

/**
 * One attempt of a task, as its history in the task item keeps it.
 *
 * @param owner the claim's token ({@code spoke-<instance>/<uuid>}): which spoke ran it
 * @param endedAt null while it runs, or if its owner never recorded an end (it died; a later claim
 *     took the task over, or the lease expired)
 * @param outcome null while it runs; else {@code SUCCEEDED}, {@code FAILED} (for good), {@code
 *     RETRY} (released for another attempt) or {@code LEASE_EXPIRED}
 */
public record TaskAttempt(
    int attempt,
    String owner,
    Instant startedAt,
    Instant endedAt,
    String outcome,
    String errorType,
    String errorMessage) {}
