package io.hubspoke.core.service;

import io.hubspoke.core.store.RunRecord;

/** The run a submission created ({@code created}) or found under its idempotency key. */
public record SubmitResult(RunRecord run, boolean created) {}
