package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.DispatchMessage;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.store.ChunkStore;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.core.store.RunStore;
import io.hubspoke.core.store.ShardCount;
import io.hubspoke.core.store.ShardCounters;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * The hub's discovery of a run's items from its {@code source}, after the run was accepted: one
 * dispatch-queue message ({@link DispatchMessage#discover}) at a time holds the run's discovery
 * under a lease and fetches page after page, until the page is the last or half its invocation's
 * time is used (then it gives the lease up and sends the next message; the other half is for the
 * chunk messages that came in the same batch).
 *
 * <p>Each page is made part of the run in three steps that a crash may interrupt anywhere:
 *
 * <ol>
 *   <li>its items are written as chunk records numbered after the run's chunks so far
 *       (unconditionally: until the checkpoint nobody dispatches them, and the page asked for again
 *       is the same page, so a rewrite writes the same records);
 *   <li>the checkpoint, conditional on holding discovery at the page count read: the cursor moves
 *       on, the chunks and the items join the run (the last page also ends discovery, fixing the
 *       total);
 *   <li>the page's chunks go to the dispatch queue, to be dispatched like a request's.
 * </ol>
 *
 * A hub that dies before the checkpoint leaves chunk records no run names (TTL removes them); the
 * next holder asks for the same page. One that dies after it leaves chunks whose messages may be
 * lost: the next holder takes the lease over and sends every idle chunk again ({@link
 * RunDispatcher#resume}). So no task is ever created twice or lost, and task {@code i} is the
 * {@code i}-th item discovered.
 *
 * <p>A page that cannot be fetched is asked for again after the dispatch queue's visibility
 * timeout, {@value #MAX_PAGE_ATTEMPTS} times at most; a page the source says will never come, or
 * that breaks the rules (null or oversized items, more than {@link Limits#MAX_DISCOVERED_ITEMS}
 * items), ends discovery with the error: the run then runs the tasks it has and ends FAILED.
 */
public final class RunDiscovery {
  private static final Logger LOG = Logger.getLogger(RunDiscovery.class.getName());

  /**
   * Claims of one page (since the last checkpoint) after which discovery fails: fewer than the
   * dispatch queue's receives before it dead-letters a message (8), so a page that keeps failing
   * ends discovery with its error instead of sending its message to the dead-letter queue.
   */
  public static final int MAX_PAGE_ATTEMPTS = 5;

  /** Pages per run at most: a source that never ends must not keep a hub busy forever. */
  public static final int MAX_PAGES = 100_000;

  private final RunStore runs;
  private final ChunkStore chunks;
  private final ShardCounters counters;
  private final CompletionTracker completion;
  private final RunDispatcher dispatcher;
  private final Function<RunSource, ItemSource> sources;
  private final Clock clock;
  private final Duration leaseMargin;
  private final String hubId = "hub-" + UUID.randomUUID().toString().substring(0, 8);

  public RunDiscovery(
      RunStore runs,
      ChunkStore chunks,
      ShardCounters counters,
      CompletionTracker completion,
      RunDispatcher dispatcher,
      Function<RunSource, ItemSource> sources,
      Clock clock,
      Duration leaseMargin) {
    this.runs = runs;
    this.chunks = chunks;
    this.counters = counters;
    this.completion = completion;
    this.dispatcher = dispatcher;
    this.sources = sources;
    this.clock = clock;
    this.leaseMargin = leaseMargin;
  }

  /**
   * Goes on with the discovery of {@code message}'s run until it ends or {@code deadline} nears.
   * Every call to AWS is aborted at {@code deadline}, and the lease outlasts it by the margin, so
   * no write of this holder can arrive once another may hold discovery.
   *
   * @return ACK when the message may go, RETRY when it must come back (a page to ask again, or a
   *     live lease held by another hub)
   */
  MessageOutcome discover(DispatchMessage message, Instant deadline) {
    String owner = hubId + "/" + UUID.randomUUID();
    RunStore.DiscoveryClaim claim =
        runs.claimDiscovery(
            message.runId(), message.incarnation(), owner, deadline.plus(leaseMargin));
    if (claim instanceof RunStore.DiscoveryClaim.Over) {
      return MessageOutcome.ACK;
    }
    if (claim instanceof RunStore.DiscoveryClaim.Leased) {
      return MessageOutcome.RETRY;
    }
    RunStore.DiscoveryClaim.Claimed claimed = (RunStore.DiscoveryClaim.Claimed) claim;
    RunRecord run = claimed.run();
    if (claimed.takeover()) {
      // The last holder may have checkpointed a page and died before sending its chunks.
      dispatcher.resume(run);
    }
    RunRecord.DiscoveryProgress progress = run.discovery();
    if (progress.attempt() > MAX_PAGE_ATTEMPTS) {
      return fail(
          run,
          owner,
          "page "
              + (progress.pages() + 1)
              + " could not be fetched in "
              + MAX_PAGE_ATTEMPTS
              + " attempts"
              + (progress.lastError() == null ? "" : "; the last error: " + progress.lastError()));
    }
    ItemSource source;
    try {
      source = sources.apply(run.spec().discovery().source());
    } catch (IllegalArgumentException e) {
      return fail(run, owner, e.getMessage());
    }
    // Half the time left at most, so the chunk messages of the same batch get the other half.
    Instant stopBy = clock.instant().plus(Duration.between(clock.instant(), deadline).dividedBy(2));
    Duration slowest = Duration.ZERO;
    while (true) {
      Instant started = clock.instant();
      RunSpec spec = run.spec();
      progress = run.discovery();
      ItemPage page;
      try {
        page =
            source.page(
                new SourceContext(spec.runId(), config(spec), progress.cursor(), deadline, clock));
      } catch (ItemSourceException e) {
        return e.retryable()
            ? askAgain(run, owner, e.getMessage())
            : fail(run, owner, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return askAgain(run, owner, "interrupted while fetching a page");
      } catch (IllegalArgumentException e) {
        // A page the source built against ItemPage's rules: asking again gives the same page.
        return fail(run, owner, "page " + (progress.pages() + 1) + ": " + e.getMessage());
      } catch (RuntimeException e) {
        // A source that throws what it did not declare: asked again, up to the attempts.
        LOG.log(Level.WARNING, "item source of run " + spec.runId() + " threw", e);
        return askAgain(run, owner, e.toString());
      }
      Optional<String> broken = brokenRule(page, spec, progress);
      if (broken.isPresent()) {
        return fail(run, owner, broken.get());
      }
      List<String> items = new ArrayList<>(page.items().size());
      page.items().forEach(item -> items.add(Json.write(item)));
      int firstChunk = spec.chunkCount();
      List<Integer> starts =
          items.isEmpty() ? List.of() : chunks.putPage(spec, firstChunk, spec.total(), items);
      Optional<RunRecord> after =
          runs.checkpointDiscovery(
              spec, owner, progress.pages(), items.size(), starts, page.nextCursor());
      if (after.isEmpty()) {
        LOG.info(() -> "lost the discovery of run " + spec.runId() + " to another hub");
        return MessageOutcome.ACK;
      }
      run = after.get();
      dispatcher.enqueue(
          run.spec(), IntStream.range(firstChunk, firstChunk + starts.size()).boxed().toList());
      if (page.isLast()) {
        ended(run);
        return MessageOutcome.ACK;
      }
      Duration took = Duration.between(started, clock.instant());
      slowest = took.compareTo(slowest) > 0 ? took : slowest;
      if (clock.instant().plus(slowest.multipliedBy(2)).isAfter(stopBy)) {
        // Not enough time for another page: hand discovery to the next message.
        runs.releaseDiscovery(run.spec(), owner, null);
        dispatcher.continueDiscovery(run.spec());
        return MessageOutcome.ACK;
      }
    }
  }

  private static JsonNode config(RunSpec spec) {
    RunSource source = spec.discovery().source();
    if (source instanceof RunSource.Plugin plugin) {
      return plugin.config();
    }
    if (source instanceof RunSource.Lambda lambda) {
      return lambda.config();
    }
    return source.toJson();
  }

  /** What makes a page unusable, if anything does: the run cannot take it. */
  static Optional<String> brokenRule(
      ItemPage page, RunSpec spec, RunRecord.DiscoveryProgress progress) {
    int pageNumber = progress.pages() + 1;
    for (int i = 0; i < page.items().size(); i++) {
      JsonNode item = page.items().get(i);
      if (item == null || item.isNull()) {
        return Optional.of(
            "page " + pageNumber + " item " + i + " is null: give any JSON but null");
      }
      int bytes = Json.write(item).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > Limits.MAX_ITEM_BYTES) {
        return Optional.of(
            "page "
                + pageNumber
                + " item "
                + i
                + " is "
                + bytes
                + " bytes, over "
                + Limits.MAX_ITEM_BYTES
                + ": store large payloads elsewhere (e.g. S3) and give a reference");
      }
    }
    if ((long) spec.total() + page.items().size() > Limits.MAX_DISCOVERED_ITEMS) {
      return Optional.of(
          "the source gave more than "
              + Limits.MAX_DISCOVERED_ITEMS
              + " items, the most a run holds: split the work over several runs");
    }
    if (pageNumber > MAX_PAGES && !page.isLast()) {
      return Optional.of(
          "the source gave "
              + MAX_PAGES
              + " pages without a last one (a null cursor): check that its cursor moves on");
    }
    return Optional.empty();
  }

  /** Gives the lease up, noting why, so the page is asked for again when the message returns. */
  private MessageOutcome askAgain(RunRecord run, String owner, String error) {
    LOG.warning(() -> "discovery of run " + run.runId() + " will ask again: " + error);
    runs.releaseDiscovery(run.spec(), owner, error);
    return MessageOutcome.RETRY;
  }

  /** Ends discovery with {@code error}: the tasks it created run on, and the run ends FAILED. */
  private MessageOutcome fail(RunRecord run, String owner, String error) {
    LOG.severe(() -> "discovery of run " + run.runId() + " failed: " + error);
    runs.failDiscovery(run.spec(), owner, run.discovery().pages(), error).ifPresent(this::ended);
    return MessageOutcome.ACK;
  }

  /**
   * The total is final: the shards and chunks that finished while it was not known are checked now,
   * since their last writers could not tell that they were the last. Repeated by the sweep if this
   * holder dies here ({@link RunSweeper}).
   */
  void ended(RunRecord run) {
    RunSpec spec = run.spec();
    LOG.info(() -> "discovery of run " + spec.runId() + " ended with " + spec.total() + " items");
    // First the dispatch (a drained run's summary would otherwise overtake it), then the drain.
    dispatcher.finishIfDispatched(run);
    if (spec.total() > 0) {
      int last = spec.shardCount() - 1;
      ShardCount count = counters.setShardSize(spec, last, spec.sharding().shardSize(last));
      if (count.drained()) {
        completion.recordDrainedShards(spec, List.of(last), 0);
      }
    }
    completion.runDrained(run);
  }

  /**
   * Sends the discover message again for a DISCOVERING run whose discovery made no progress since
   * {@code stalledBefore} and that no live lease holds: its message was lost or dead-lettered.
   *
   * @return whether it was sent
   */
  public boolean resume(RunRecord run, Instant stalledBefore) {
    RunRecord.DiscoveryProgress progress = run.discovery();
    Instant now = clock.instant();
    boolean stalled =
        progress.progressAt() == null || progress.progressAt().isBefore(stalledBefore);
    boolean unheld = progress.leaseUntil() == null || !progress.leaseUntil().isAfter(now);
    if (!stalled || !unheld) {
      return false;
    }
    dispatcher.continueDiscovery(run.spec());
    LOG.info(() -> "resumed the discovery of run " + run.runId());
    return true;
  }
}
