package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What a run request is made of on the command line, shared by {@code run} and {@code submit}: the
 * items (ITEMS_FILE), or where the hub discovers them (--source), or a whole request (--request),
 * and the worker's settings, which override the request file's.
 */
class RunRequestOptions {
  static final String DEFAULT_WORKER = "echo";

  @Parameters(
      paramLabel = "ITEMS_FILE",
      arity = "0..1",
      description =
          "a JSON array or JSON Lines file of items; - for standard input (or give --source or"
              + " --request)")
  String itemsFile;

  @Option(
      names = "--source",
      paramLabel = "JSON",
      description =
          "instead of ITEMS_FILE: where the hub discovers the items, a run request's source object,"
              + " e.g. '{\"type\":\"range\",\"end\":1000}',"
              + " '{\"type\":\"worker\",\"name\":\"lines\",\"config\":{\"path\":\"urls.txt\"}}'"
              + " (an ItemSource of --worker-jar) or"
              + " '{\"type\":\"lambda\",\"function\":\"lister\",\"config\":{}}'"
              + " (a function given with --function)")
  String source;

  @Option(
      names = "--request",
      paramLabel = "FILE",
      description =
          "instead of ITEMS_FILE or --source: a whole run request as POST /runs takes it (a JSON"
              + " object; - for standard input); the options below replace its fields")
  String requestFile;

  @Option(
      names = "--worker",
      description =
          "echo, sleep, http, lambda (a function given with --function), or a worker of"
              + " --worker-jar (default "
              + DEFAULT_WORKER
              + ")")
  String worker;

  @Option(
      names = "--worker-config",
      description = "the worker's settings as a JSON object, e.g. '{\"ms\":100}'")
  String workerConfig;

  @Option(names = "--max-attempts", description = "attempts per task, 1-10 (default 3)")
  Integer maxAttempts;

  @Option(
      names = "--task-timeout",
      description =
          "seconds a task may run: 1-58 locally, what the local spoke's 60 s timeout leaves once 2 s"
              + " are kept to record the outcome (default 58)")
  Integer taskTimeout;

  @Option(
      names = "--max-concurrency",
      description =
          "the most tasks of the run running at once, 1-1000, however many spokes run (default: no"
              + " cap)")
  Integer maxConcurrency;

  @Option(
      names = "--dispatch",
      paramLabel = "MODE",
      description =
          "how the run's tasks reach their workers: ${COMPLETION-CANDIDATES}; queue (default): one"
              + " SQS message per task, drained by the spokes; push: the hub invokes the spoke"
              + " function with ten tasks per asynchronous invocation; pull: external workers claim"
              + " them over the HTTP API",
      completionCandidates = DispatchNames.class)
  String dispatch;

  /** The wire names of every dispatch mode, for the help text. */
  static final class DispatchNames extends java.util.ArrayList<String> {
    DispatchNames() {
      super(Arrays.stream(Dispatch.values()).map(Dispatch::wireName).toList());
    }
  }

  @Option(
      names = "--tolerated-failure-count",
      description = "failures the run tolerates; one more stops it and it ends FAILED")
  Integer toleratedFailureCount;

  @Option(
      names = "--tolerated-failure-percent",
      description = "as --tolerated-failure-count, as a share (0-100) of the run's tasks")
  Double toleratedFailurePercent;

  @Option(
      names = "--idempotency-key",
      description =
          "the run's idempotency key (default: the request file's, or a new one); run again with"
              + " the same key to resume the same run")
  String idempotencyKey;

  /** The run request, with an idempotency key (the one given, the request file's, or a new one). */
  ObjectNode request() {
    if (itemsFile != null && source != null) {
      throw new UsageException(
          "give ITEMS_FILE or --source, not both: ITEMS_FILE lists the items, --source names where"
              + " the hub discovers them");
    }
    if (requestFile != null && (itemsFile != null || source != null)) {
      throw new UsageException(
          "give --request or "
              + (itemsFile != null ? "ITEMS_FILE" : "--source")
              + ", not both:"
              + " --request is a whole run request, with its items or source");
    }
    boolean given = itemsFile != null || source != null || requestFile != null;
    if (!given) {
      throw new UsageException(
          "give ITEMS_FILE (a JSON array or JSON Lines file of items, - for standard input) or"
              + " --source JSON (where the hub discovers them, e.g."
              + " --source '{\"type\":\"range\",\"end\":1000}') or --request FILE (a whole run"
              + " request)");
    }
    ObjectNode request = Json.object();
    if (requestFile != null) {
      request = readRequest(requestFile);
    } else if (source != null) {
      request.set("source", source());
    } else {
      try {
        request.set("items", ItemsFile.read(itemsFile, HubspokeCli.stdin()));
      } catch (ItemsFile.ItemsFileException e) {
        throw new UsageException(e.getMessage());
      }
    }
    if (worker != null || requestFile == null) {
      request.put("worker", worker != null ? worker : DEFAULT_WORKER);
    }
    if (workerConfig != null) {
      try {
        request.set("workerConfig", Json.parse(workerConfig));
      } catch (JsonProcessingException e) {
        throw new UsageException("--worker-config is not JSON: " + e.getOriginalMessage());
      }
    }
    if (maxAttempts != null) {
      request.put("maxAttempts", maxAttempts);
    }
    if (taskTimeout != null) {
      request.put("taskTimeoutSeconds", taskTimeout);
    }
    if (maxConcurrency != null) {
      request.put("maxConcurrency", maxConcurrency);
    }
    if (dispatch != null) {
      Dispatch mode =
          Dispatch.fromWire(dispatch)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "--dispatch "
                              + dispatch
                              + ": no such dispatch; use one of "
                              + String.join(", ", new DispatchNames())));
      request.put("dispatch", mode.wireName());
    }
    if (toleratedFailureCount != null) {
      request.put("toleratedFailureCount", toleratedFailureCount);
    }
    if (toleratedFailurePercent != null) {
      request.put("toleratedFailurePercent", toleratedFailurePercent);
    }
    if (idempotencyKey != null) {
      request.put("idempotencyKey", idempotencyKey);
    } else if (!request.hasNonNull("idempotencyKey")) {
      request.put("idempotencyKey", "cli-" + UUID.randomUUID());
    }
    return request;
  }

  private JsonNode source() {
    String example = " (give a source object, e.g. '{\"type\":\"range\",\"end\":1000}')";
    JsonNode parsed;
    try {
      parsed = Json.parse(source);
    } catch (JsonProcessingException e) {
      throw new UsageException("--source is not JSON: " + e.getOriginalMessage() + example);
    }
    if (parsed == null || parsed.isNull() || parsed.isMissingNode()) {
      // The API would take a null source for none and ask for items instead.
      throw new UsageException("--source is empty or null" + example);
    }
    return parsed;
  }

  private static ObjectNode readRequest(String file) {
    String text;
    try {
      if (file.equals("-")) {
        InputStream in = HubspokeCli.stdin();
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } else {
        text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      }
    } catch (NoSuchFileException e) {
      throw new UsageException("--request " + file + ": no such file");
    } catch (IOException e) {
      throw new UsageException("--request " + file + " cannot be read: " + e.getMessage());
    }
    JsonNode parsed;
    try {
      parsed = Json.parse(text);
    } catch (JsonProcessingException e) {
      throw new UsageException("--request " + file + " is not JSON: " + e.getOriginalMessage());
    }
    if (!(parsed instanceof ObjectNode object)) {
      throw new UsageException(
          "--request "
              + file
              + " must hold a JSON object, a run request such as"
              + " {\"items\":[1,2,3],\"worker\":\"echo\"}");
    }
    return object;
  }
}
