package io.hubspoke.worker;

import io.hubspoke.contract.workers.WorkerConfigSchema;

/**
 * The work done for one task. A worker is chosen by name per run; it must finish by {@link
 * TaskContext#deadline()} and must not throw for expected failures: it returns a {@link
 * TaskOutcome}. Side effects outside hubspoke are at-least-once: use {@link TaskContext#taskId()}
 * (and the attempt) as an idempotency key where the target supports one. Its name and config rules
 * come from {@link WorkerConfigSchema}, which the request's validation sees.
 */
public interface TaskWorker extends WorkerConfigSchema {
  TaskOutcome execute(TaskContext context) throws InterruptedException;
}
