package io.hubspoke.core.service;

import io.hubspoke.contract.api.RunRequest;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.store.ChunkStore;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The hub's submission: makes the request durable, then answers. The items are written as chunk
 * records ({@link ChunkStore}) and only then is the run record created, with a conditional put: a
 * run that exists can always be dispatched from the table. One dispatch message per chunk then goes
 * to the dispatch queue, which the hub consumes ({@link RunDispatcher}); if the hub dies before
 * sending them, the sweep sends them ({@link RunSweeper}). Nothing here waits for the tasks to be
 * written, so a run of any documented size is accepted in well under API Gateway's 30 s.
 */
public final class RunSubmissionService {
  private final RunStore runs;
  private final ChunkStore chunks;
  private final RunDispatcher dispatcher;
  private final Clock clock;
  private final Duration retention;

  public RunSubmissionService(
      RunStore runs, ChunkStore chunks, RunDispatcher dispatcher, Clock clock, Duration retention) {
    this.runs = runs;
    this.chunks = chunks;
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.retention = retention;
  }

  /**
   * @throws IdempotencyConflictException if the key belongs to a different request
   */
  public SubmitResult submit(RunRequest request) {
    Instant now = clock.instant();
    String runId =
        request.idempotencyKey().map(RunIds::fromIdempotencyKey).orElseGet(RunIds::random);
    String hash = requestHash(request);
    if (request.idempotencyKey().isPresent()) {
      // A retry of a live run is answered from the run record, without writing its items again.
      Optional<SubmitResult> existing = runs.get(runId).map(run -> existing(run, hash));
      if (existing.isPresent()) {
        return existing.get();
      }
    }
    if (request.discovers()) {
      return submitDiscovery(request, runId, hash, now);
    }
    List<String> items = request.itemsJson();
    RunSpec spec =
        specOf(request, runId, now)
            .total(items.size())
            .shardCount(Sharding.forTotal(items.size()).shardCount())
            .chunkSize(ChunkStore.chunkSize(items))
            .build();
    chunks.putAll(spec, items);
    RunStore.CreateResult created = runs.create(spec, hash, request.idempotencyKey());
    if (created instanceof RunStore.CreateResult.Existing found) {
      // Another submission with this key won the race; its chunks are the ones that count (ours
      // are keyed by our incarnation, which no run names: TTL removes them).
      return existing(found.run(), hash);
    }
    dispatcher.enqueue(spec, IntStream.range(0, spec.chunkCount()).boxed().toList());
    return new SubmitResult(((RunStore.CreateResult.Created) created).run(), true);
  }

  /** What every new run takes from its request, under a new incarnation. */
  private RunSpec.Builder specOf(RunRequest request, String runId, Instant now) {
    return RunSpec.builder()
        .runId(runId)
        .incarnation(RunIds.newIncarnation())
        .worker(request.worker())
        .workerConfig(request.workerConfig())
        .maxAttempts(request.maxAttempts())
        .taskTimeoutSeconds(request.taskTimeoutSeconds())
        .createdAt(now)
        .expiresAt(now.plus(retention))
        .retry(request.retry())
        .controls(request.controls())
        .dispatch(request.dispatch());
  }

  /**
   * A run that discovers its items: created DISCOVERING with none, then one message sets its
   * discovery going ({@link RunDiscovery}); if the hub dies before sending it, the sweep does.
   */
  private SubmitResult submitDiscovery(RunRequest request, String runId, String hash, Instant now) {
    RunSpec spec =
        specOf(request, runId, now)
            .total(0)
            .shardCount(0)
            .chunkSize(ChunkStore.MAX_CHUNK_ITEMS)
            .discovery(new RunSpec.Discovery(request.source().orElseThrow(), List.of(), false))
            .build();
    RunStore.CreateResult created = runs.create(spec, hash, request.idempotencyKey());
    if (created instanceof RunStore.CreateResult.Existing found) {
      return existing(found.run(), hash);
    }
    dispatcher.continueDiscovery(spec);
    return new SubmitResult(((RunStore.CreateResult.Created) created).run(), true);
  }

  private SubmitResult existing(RunRecord run, String hash) {
    if (!hash.equals(run.requestHash())) {
      throw new IdempotencyConflictException(run.runId());
    }
    return new SubmitResult(run, false);
  }

  /**
   * Identifies the request's content, so a reused idempotency key with other content is refused.
   */
  static String requestHash(RunRequest request) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(
          (request.worker()
                  + "\n"
                  + Json.write(request.workerConfig())
                  + "\n"
                  + request.maxAttempts()
                  + "\n"
                  + request.taskTimeoutSeconds()
                  + "\n"
                  + request.source().map(source -> Json.write(source.toJson())).orElse("")
                  + "\n"
                  + (request.retry().equals(io.hubspoke.contract.api.RetryPolicy.DEFAULT)
                      ? ""
                      : Json.write(request.retry().toJson()))
                  + "\n"
                  + (request.controls().equals(io.hubspoke.contract.api.RunControls.NONE)
                      ? ""
                      : Json.write(request.controls().toJson()) + "\n")
                  + (request.dispatch() == io.hubspoke.contract.api.Dispatch.QUEUE
                      ? ""
                      : "dispatch=" + request.dispatch().wireName() + "\n"))
              .getBytes(StandardCharsets.UTF_8));
      for (String item : request.itemsJson()) {
        digest.update(item.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
