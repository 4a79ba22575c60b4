package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Starts the local runtime (or uses --api), submits ITEMS_FILE (or --source, where the hub discovers the items) as one run through the HTTP API with an idempotency key (its own retries resume the same run), shows progress, and prints the summary. Exit 0 if the run SUCCEEDED, 1 if it FAILED, 2 on usage errors, 3 if it could not be submitted.")
final class RunCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ITEMS_FILE",
      arity = "0..1",
      description =
          "a JSON array or JSON Lines file of items; - for standard input (or give --source)")
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
      names = "--worker",
      description =
          "echo, sleep, http, lambda (a function given with --function), or a worker of"
              + " --worker-jar (default ${DEFAULT-VALUE})",
      defaultValue = "echo")
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
          "seconds a task may run: 1-58, what the local spoke's 60 s timeout leaves once 2 s are"
              + " kept to record the outcome (default 58)")
  Integer taskTimeout;

  @Option(names = "--json", description = "print only the final run record as JSON")
  boolean json;

  @Option(
      names = "--api",
      description =
          "submit to this running hubspoke HTTP API (e.g. http://127.0.0.1:8080 of `hubspoke serve`) instead of starting a local runtime")
  URI api;

  @Option(
      names = "--idempotency-key",
      description =
          "the run's idempotency key (default: a new one); run again with the same key to resume the same run")
  String idempotencyKey;

  @CommandLine.Mixin RuntimeOptions runtime;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode request = Json.object();
    if (itemsFile != null && source != null) {
      throw new UsageException(
          "give ITEMS_FILE or --source, not both: ITEMS_FILE lists the items, --source names where"
              + " the hub discovers them");
    }
    if (itemsFile == null && source == null) {
      throw new UsageException(
          "give ITEMS_FILE (a JSON array or JSON Lines file of items, - for standard input) or"
              + " --source JSON (where the hub discovers them, e.g."
              + " --source '{\"type\":\"range\",\"end\":1000}')");
    }
    if (source != null) {
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
      request.set("source", parsed);
    } else {
      try {
        request.set("items", ItemsFile.read(itemsFile, HubspokeCli.stdin()));
      } catch (ItemsFile.ItemsFileException e) {
        throw new UsageException(e.getMessage());
      }
    }
    request.put("worker", worker);
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
    String key = idempotencyKey != null ? idempotencyKey : "cli-" + UUID.randomUUID();
    request.put("idempotencyKey", key);
    LocalOptions options = runtime.builder(0).build();
    // The hub validates the request again; checking it here first spares the user the engines'
    // start-up before a usage error.
    try {
      options.requestParser().parse(request);
    } catch (InvalidInputException e) {
      // A running API's hub knows which functions it allows (the lambda worker's and a lambda
      // source's); this command's --function does not.
      List<FieldError> errors =
          api == null
              ? e.errors()
              : e.errors().stream()
                  .filter(error -> !LambdaWorkerConfig.isNotAllowed(error))
                  .toList();
      if (!errors.isEmpty()) {
        throw new UsageException(ErrorText.of(e.getMessage(), errors));
      }
    }
    if (api != null) {
      return submitAndFollow(new HubApiClient(api), request, key, out, err);
    }
    if (!json) {
      err.println("starting the local runtime (DynamoDB Local, ElasticMQ, event bus)…");
    }
    try (LocalRuntime local = LocalRuntime.start(options)) {
      return submitAndFollow(new HubApiClient(local.apiEndpoint()), request, key, out, err);
    }
  }

  private int submitAndFollow(
      HubApiClient client, ObjectNode request, String key, PrintWriter out, PrintWriter err)
      throws Exception {
    JsonNode body = client.submit(Json.write(request), key);
    String runId = body.get("runId").asText();
    if (!json) {
      err.println(
          "run "
              + runId
              + ": "
              + (request.has("source")
                  ? "items discovered from " + Json.write(request.get("source"))
                  : body.get("total").asInt() + " tasks")
              + ", worker "
              + worker);
    }
    Progress progress = json ? null : new Progress(err, body.get("total").asInt());
    JsonNode run = client.awaitFinished(runId, progress);
    if (json) {
      out.println(Json.write(run));
    } else {
      progress.finish(run);
      SummaryTable.print(out, run);
    }
    return "SUCCEEDED".equals(run.get("status").asText())
        ? HubspokeCli.EXIT_SUCCEEDED
        : HubspokeCli.EXIT_FAILED;
  }
}
