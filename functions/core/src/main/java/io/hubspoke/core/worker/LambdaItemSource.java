package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.LambdaFunctionName;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import io.hubspoke.worker.TaskOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A {@code lambda} source: the user's function, invoked synchronously with {@code {"runId",
 * "cursor", "config", "deadline"}} ({@code cursor} null for the first page), returns {@code
 * {"items": [...], "cursor": "..."}}, and a null or absent cursor after the last page. Its errors
 * follow the {@code lambda} worker's contract: a function error is retried unless marked
 * non-retryable; throttling and 5xx are retried within the page's deadline.
 */
final class LambdaItemSource implements ItemSource {
  private final RunSource.Lambda source;
  private final WorkerFunctions allowed;
  private final Supplier<LambdaClient> client;

  LambdaItemSource(
      RunSource.Lambda source, WorkerFunctions allowed, Supplier<LambdaClient> client) {
    this.source = source;
    this.allowed = allowed;
    this.client = client;
  }

  @Override
  public String name() {
    return "lambda";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return List.of(); // the request parser checks the function against the allowed ones
  }

  @Override
  public ItemPage page(SourceContext context) throws InterruptedException {
    String function = source.function();
    LambdaFunctionName name;
    try {
      name = LambdaFunctionName.parse(function);
    } catch (LambdaFunctionName.InvalidFunctionNameException e) {
      throw new ItemSourceException("source.function '" + function + "' " + e.getMessage(), false);
    }
    if (!allowed.allows(name)) {
      throw new ItemSourceException(
          "the hub may not invoke '"
              + function
              + "' ("
              + (allowed.isEmpty() ? "it allows none" : "it allows " + allowed)
              + "): add it to hubspoke:workerFunctions and deploy",
          false);
    }
    Duration remaining = context.remaining();
    if (remaining.isZero()) {
      throw new ItemSourceException("no time left to fetch a page", true);
    }
    ObjectNode event = Json.object();
    event.put("runId", context.runId());
    event.put("cursor", context.cursor());
    event.set("config", source.config());
    event.put("deadline", context.deadline().toString());
    TaskOutcome outcome =
        LambdaInvocation.invoke(
            client.get(),
            function,
            Json.write(event).getBytes(StandardCharsets.UTF_8),
            context.deadline(),
            remaining);
    if (outcome instanceof TaskOutcome.Failure failure) {
      throw new ItemSourceException(
          "source function " + function + ": " + failure.errorType() + ": " + failure.message(),
          failure.retryable());
    }
    return page(function, ((TaskOutcome.Success) outcome).result());
  }

  /** Reads {@code {"items": [...], "cursor": ...}}; anything else is the function's mistake. */
  static ItemPage page(String function, JsonNode answer) {
    String expected =
        "source function "
            + function
            + " must return {\"items\": [...], \"cursor\": \"...\" or null}, not ";
    if (answer == null || !answer.isObject() || !answer.path("items").isArray()) {
      throw new ItemSourceException(expected + Json.write(answer), false);
    }
    JsonNode cursor = answer.get("cursor");
    if (cursor != null && !cursor.isNull() && !cursor.isTextual()) {
      throw new ItemSourceException(expected + "a cursor that is " + cursor.getNodeType(), false);
    }
    List<JsonNode> items = new ArrayList<>();
    answer.get("items").forEach(items::add);
    try {
      return new ItemPage(items, cursor == null || cursor.isNull() ? null : cursor.textValue());
    } catch (IllegalArgumentException e) {
      throw new ItemSourceException("source function " + function + ": " + e.getMessage(), false);
    }
  }
}
