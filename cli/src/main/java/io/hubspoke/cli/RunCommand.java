package io.hubspoke.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Starts the local runtime (or uses --api), submits ITEMS_FILE (or --source, where the hub discovers the items, or a whole --request) as one run through the HTTP API with an idempotency key (its own retries resume the same run), shows progress, and prints the summary. Exit 0 if the run SUCCEEDED, 1 if it FAILED, 2 on usage errors, 3 if it could not be submitted.")
final class RunCommand implements Callable<Integer> {
  @CommandLine.Mixin RunRequestOptions runRequest;

  @Option(names = "--json", description = "print only the final run record as JSON")
  boolean json;

  @Option(
      names = "--api",
      description =
          "submit to this running hubspoke HTTP API (e.g. http://127.0.0.1:8080 of `hubspoke serve`) instead of starting a local runtime")
  URI api;

  @CommandLine.Mixin RuntimeOptions runtime;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode request = runRequest.request();
    String key = request.get("idempotencyKey").asText();
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
      return submitAndFollow(new HubApiClient(api), api.toString(), request, key, out, err);
    }
    if (!json) {
      err.println("starting the local runtime (DynamoDB Local, ElasticMQ, event bus)…");
    }
    try (LocalRuntime local = LocalRuntime.start(options)) {
      return submitAndFollow(
          new HubApiClient(local.apiEndpoint()),
          local.apiEndpoint().toString(),
          request,
          key,
          out,
          err);
    }
  }

  private int submitAndFollow(
      HubApiClient client,
      String apiUrl,
      ObjectNode request,
      String key,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    JsonNode body = client.submit(Json.write(request), key);
    if (!json) {
      err.println(RunFollower.submitted(body, request));
    }
    if ("pull".equals(body.path("dispatch").asText())) {
      // No spoke runs a pull run's tasks: say where workers find them, then wait for them.
      err.println(
          "a pull run: its tasks wait for your workers, e.g. python3"
              + " examples/worker-python/pull_worker.py --api "
              + apiUrl
              + " --run "
              + body.path("runId").asText());
      err.flush();
    }
    return RunFollower.follow(client, body, json, out, err);
  }
}
