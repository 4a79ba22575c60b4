package io.hubspoke.core.service;

import io.hubspoke.core.model.TaskRecord;
import io.hubspoke.core.model.TaskStatus;
import io.hubspoke.core.store.Page;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCounters;
import io.hubspoke.core.store.TaskStore;
import java.util.Optional;

/** Reads for the API: one run with its counts, runs newest first, a run's tasks. */
public final class RunQueryService {
  private final RunStore runs;
  private final TaskStore tasks;
  private final ShardCounters counters;

  public RunQueryService(RunStore runs, TaskStore tasks, ShardCounters counters) {
    this.runs = runs;
    this.tasks = tasks;
    this.counters = counters;
  }

  public Optional<RunView> get(String runId) {
    return runs.get(runId).map(run -> view(run));
  }

  public RunView view(RunRecord run) {
    return RunView.of(run, counters.counts(run.spec()));
  }

  public Page<RunRecord> list(int limit, Optional<String> token) {
    return runs.list(limit, token);
  }

  public Page<RunRecord> list(int limit, Optional<String> token, RunStore.RunFilter filter) {
    return runs.list(limit, token, filter);
  }

  /** Empty if the run does not exist; else the task, if it exists. */
  public Optional<Optional<TaskRecord>> task(String runId, int index) {
    return runs.get(runId).map(run -> tasks.get(run.spec(), index));
  }

  /** Empty if the run does not exist. */
  public Optional<Page<TaskRecord>> tasks(
      String runId, Optional<TaskStatus> status, int limit, Optional<String> token) {
    return runs.get(runId).map(run -> tasks.listTasks(run.spec(), status, limit, token));
  }
}
