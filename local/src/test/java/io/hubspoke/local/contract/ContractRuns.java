package io.hubspoke.local.contract;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.core.model.RunIds;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.SleepWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.Faults;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * A local runtime for the contract tests and the runs that make the hub give every documented
 * answer and the bus carry every documented event: a run that succeeds, one with failed and retried
 * tasks, a discovered range, a discovery that fails, and a request that can no longer be
 * dispatched.
 */
final class ContractRuns implements AutoCloseable {
  /** A source whose first page holds {@code items} items and whose second never comes. */
  static final class BrokenSource implements ItemSource {
    @Override
    public String name() {
      return "broken";
    }

    @Override
    public List<FieldError> validateConfig(JsonNode config) {
      return List.of();
    }

    @Override
    public ItemPage page(SourceContext context) {
      if (context.cursor() != null) {
        throw new ItemSourceException("page " + context.cursor() + " is gone for good", false);
      }
      List<JsonNode> items = new ArrayList<>();
      for (int i = 0; i < context.config().path("items").asInt(3); i++) {
        items.add(Json.object().put("n", i));
      }
      return new ItemPage(items, "2");
    }
  }

  final Faults faults = new Faults();
  final LocalRuntime runtime;
  final ApiClient api;

  ContractRuns() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                // Nothing repairs behind the tests' back, and nothing else lists the runs.
                .sweepInterval(Duration.ZERO)
                .workers(
                    new WorkerRegistry(
                        List.of(new EchoWorker(), new SleepWorker()), List.of(new BrokenSource())))
                .interceptor(faults.sdk())
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  /** Slow tasks, few at a time: a run still going when a test cancels it. */
  static String slow() {
    return "{\"items\":[1,2,3,4,5,6,7,8],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":2000}}";
  }

  /** Enough 1 s tasks that a cancel right after the submission finds some waiting. */
  static String cancellable() {
    return "{\"items\":"
        + java.util.stream.IntStream.range(0, 60)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(",", "[", "]"))
        + ",\"worker\":\"sleep\",\"workerConfig\":{\"ms\":1000}}";
  }

  /** A hybrid run: its tasks claimed by the spokes that WorkAvailable wakes. */
  static String hybrid() {
    return "{\"items\":[1,2,3,4],\"worker\":\"echo\",\"dispatch\":\"hybrid\"}";
  }

  static String succeeding() {
    // Held in by every control, none of which stops it: its answers show them.
    return "{\"items\":[\"a\",{\"b\":1},[2],3,true],\"worker\":\"echo\",\"maxConcurrency\":2,"
        + "\"toleratedFailureCount\":0,\"toleratedFailurePercent\":0}";
  }

  /** Tasks that fail on every attempt and tasks whose first attempt fails; 2 attempts each. */
  static String failing() {
    return "{\"items\":["
        + String.join(",", java.util.Collections.nCopies(20, "\"x\""))
        + "],\"worker\":\"sleep\",\"workerConfig\":{\"failRate\":0.4,\"flakyRate\":0.4},"
        + "\"maxAttempts\":2,\"taskTimeoutSeconds\":20}";
  }

  static String range() {
    return "{\"source\":{\"type\":\"range\",\"start\":5,\"end\":1505,\"step\":3},"
        + "\"worker\":\"echo\",\"idempotencyKey\":\"range-"
        + UUID.randomUUID()
        + "\"}";
  }

  /** A discovery that ends FAILED at its second page, after the first page's tasks ran. */
  static String brokenDiscovery() {
    return "{\"source\":{\"type\":\"worker\",\"name\":\"broken\",\"config\":{\"items\":4}},"
        + "\"worker\":\"echo\"}";
  }

  /**
   * A request whose only chunk's record disappears (deleted by hand, or by a TTL far too short)
   * just before a dispatcher claims it: the run ends FAILED with the reason, with no task. Returns
   * the request; its run id is {@link RunIds#fromIdempotencyKey} of {@code key}.
   */
  String undispatchable(String key) {
    String runId = RunIds.fromIdempotencyKey(key);
    AtomicBoolean deleted = new AtomicBoolean();
    faults.beforeSend =
        r -> {
          if (r instanceof UpdateItemRequest claim
              && claim.updateExpression().contains(":writing")
              && claim.key().get("pk").s().startsWith("RUN#" + runId + "#")
              && deleted.compareAndSet(false, true)) {
            Map<String, AttributeValue> chunk = claim.key();
            runtime
                .clients()
                .dynamoDb()
                .deleteItem(b -> b.tableName(LocalOptions.TABLE_NAME).key(chunk));
          }
        };
    return "{\"items\":[1,2,3],\"worker\":\"echo\",\"idempotencyKey\":\"" + key + "\"}";
  }

  @Override
  public void close() {
    runtime.close();
  }
}
