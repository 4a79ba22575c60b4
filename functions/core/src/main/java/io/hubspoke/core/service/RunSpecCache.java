package io.hubspoke.core.service;

import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Run specs are immutable, so a spoke reads each run once per function instance rather than once
 * per task: one GetItem per run per instance. A discovered run's spec only grows (each page adds
 * chunks and tasks, and the end fixes the total): a reader that meets a task or chunk beyond what
 * it read refreshes it.
 */
public final class RunSpecCache {
  private static final int CAPACITY = 1024;

  private final RunStore runs;
  private final Map<String, RunSpec> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunSpec> eldest) {
          return size() > CAPACITY;
        }
      };

  public RunSpecCache(RunStore runs) {
    this.runs = runs;
  }

  /** Reads the run again, replacing what is cached. */
  public Optional<RunSpec> refresh(String runId) {
    synchronized (cache) {
      cache.remove(runId);
    }
    return get(runId);
  }

  public Optional<RunSpec> get(String runId) {
    synchronized (cache) {
      RunSpec cached = cache.get(runId);
      // An expired run may be created again under its id, as a new incarnation.
      if (cached != null && cached.expiresAt().isAfter(java.time.Instant.now())) {
        return Optional.of(cached);
      }
    }
    Optional<RunSpec> spec = runs.get(runId).map(RunRecord::spec);
    spec.ifPresent(
        s -> {
          synchronized (cache) {
            cache.put(runId, s);
          }
        });
    return spec;
  }
}
