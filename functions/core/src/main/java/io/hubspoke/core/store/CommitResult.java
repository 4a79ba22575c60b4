package io.hubspoke.core.store;

import io.hubspoke.core.model.TaskRecord;

/** The outcome of an owner's write: applied, or refused because the owner lost the task. */
public sealed interface CommitResult {
  record Committed(TaskRecord task) implements CommitResult {}

  /** The task moved on without this owner (lease taken over); {@code current} may be null. */
  record LostRace(TaskRecord current) implements CommitResult {}

  default boolean committed() {
    return this instanceof Committed;
  }
}
