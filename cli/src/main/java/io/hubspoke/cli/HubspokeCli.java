package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.chaos.Soak;
import io.hubspoke.contract.Deployment;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code hubspoke} command line. */
@Command(
    name = "hubspoke",
    mixinStandardHelpOptions = true,
    version = "hubspoke 0.1.0",
    description = "Runs hubspoke fan-outs on this machine against real local engines.",
    subcommands = {
      HubspokeCli.Run.class,
      HubspokeCli.Serve.class,
      HubspokeCli.SoakCommand.class,
      BenchCommand.class
    })
public final class HubspokeCli implements Callable<Integer> {
  static final int EXIT_SUCCEEDED = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** The run could not be submitted (the API unreachable, or answering 5xx after retries). */
  static final int EXIT_NOT_SUBMITTED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return EXIT_USAGE;
  }

  public static void main(String[] args) {
    System.exit(
        execute(
            args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line; returns the exit code (for tests). */
  public static int execute(String[] args, InputStream stdin, PrintWriter out, PrintWriter err) {
    quietLogs(args);
    CommandLine cli = new CommandLine(new HubspokeCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("hubspoke: " + e.getMessage());
          if (e instanceof UsageException) {
            return EXIT_USAGE;
          }
          return e instanceof NotSubmittedException ? EXIT_NOT_SUBMITTED : EXIT_FAILED;
        });
    STDIN.set(stdin);
    return cli.execute(args);
  }

  private static final ThreadLocal<InputStream> STDIN = ThreadLocal.withInitial(() -> System.in);

  /** The engines and the functions log to java.util.logging; keep the terminal for the run. */
  private static void quietLogs(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    Logger root = LogManager.getLogManager().getLogger("");
    root.setLevel(verbose ? Level.INFO : Level.SEVERE);
    for (var handler : root.getHandlers()) {
      handler.setLevel(verbose ? Level.INFO : Level.SEVERE);
    }
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  static final class NotSubmittedException extends RuntimeException {
    NotSubmittedException(String message) {
      super(message);
    }
  }

  /** Options shared by the commands that start a local runtime. */
  static class RuntimeOptions {
    @Option(
        names = "--concurrency",
        description = "maximum concurrent spoke invocations (default ${DEFAULT-VALUE})",
        defaultValue = "10")
    int concurrency;

    @Option(
        names = "--batch-size",
        description = "messages per spoke invocation (default ${DEFAULT-VALUE})",
        defaultValue = "10")
    int batchSize;

    @Option(names = "--verbose", description = "show the functions' and engines' logs")
    boolean verbose;

    LocalOptions.Builder builder(int port) {
      if (!Deployment.isValidMaximumConcurrency(concurrency)) {
        throw new UsageException(
            "--concurrency must be from 2 to 1000 (the event source mapping's range)");
      }
      if (batchSize < 1 || Deployment.needsBatchingWindow(batchSize)) {
        throw new UsageException("--batch-size must be from 1 to 10");
      }
      LocalOptions.Builder builder =
          LocalOptions.builder()
              .httpPort(port)
              .maximumConcurrency(concurrency)
              .batchSize(batchSize);
      if (verbose) {
        builder.functionLogs(line -> System.err.println(line));
      }
      return builder;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Starts the local runtime (or uses --api), submits ITEMS_FILE as one run through the HTTP API with an idempotency key (its own retries resume the same run), shows progress, and prints the summary. Exit 0 if the run SUCCEEDED, 1 if it FAILED, 2 on usage errors, 3 if it could not be submitted.")
  static final class Run implements Callable<Integer> {
    @Parameters(
        paramLabel = "ITEMS_FILE",
        description = "a JSON array or JSON Lines file of items; - for standard input")
    String itemsFile;

    @Option(
        names = "--worker",
        description = "echo, sleep or http (default ${DEFAULT-VALUE})",
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
      ArrayNode items;
      try {
        items = ItemsFile.read(itemsFile, STDIN.get());
      } catch (ItemsFile.ItemsFileException e) {
        throw new UsageException(e.getMessage());
      }
      request.set("items", items);
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
        throw new UsageException(describeErrors(e.getMessage(), e.errors()));
      }
      if (api != null) {
        return submitAndFollow(new RunClient(api), request, key, out, err);
      }
      if (!json) {
        err.println("starting the local runtime (DynamoDB Local, ElasticMQ, event bus)…");
      }
      try (LocalRuntime local = LocalRuntime.start(options)) {
        return submitAndFollow(new RunClient(local.apiEndpoint()), request, key, out, err);
      }
    }

    private int submitAndFollow(
        RunClient client, ObjectNode request, String key, PrintWriter out, PrintWriter err)
        throws Exception {
      JsonNode body = client.submit(Json.write(request), key);
      String runId = body.get("runId").asText();
      if (!json) {
        err.println("run " + runId + ": " + body.get("total").asInt() + " tasks, worker " + worker);
      }
      Progress progress = json ? null : new Progress(err, body.get("total").asInt());
      JsonNode run = client.awaitFinished(runId, progress);
      if (json) {
        out.println(Json.write(run));
      } else {
        progress.finish(run);
        SummaryTable.print(out, run);
      }
      return "SUCCEEDED".equals(run.get("status").asText()) ? EXIT_SUCCEEDED : EXIT_FAILED;
    }
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description =
          "Keeps the local runtime and its HTTP API up, so curl can drive it. Stop with Ctrl-C.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--port",
        description = "HTTP port on 127.0.0.1 (default ${DEFAULT-VALUE})",
        defaultValue = "8080")
    int port;

    @CommandLine.Mixin RuntimeOptions runtime;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (port < 0 || port > 65535) {
        throw new UsageException("--port must be from 0 to 65535");
      }
      PrintWriter err = spec.commandLine().getErr();
      LocalRuntime local = LocalRuntime.start(runtime.builder(port).build());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    local.close();
                    stopped.countDown();
                  }));
      err.println("hubspoke local API on " + local.apiEndpoint());
      err.println(
          "  curl -s -X POST "
              + local.apiEndpoint()
              + "/runs -H 'content-type: application/json' \\");
      err.println(
          "       -d '{\"items\":[1,2,3],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":100}}'");
      err.println("  curl -s " + local.apiEndpoint() + "/runs/<runId>");
      err.println("Ctrl-C stops it.");
      err.flush();
      stopped.await();
      return EXIT_SUCCEEDED;
    }
  }

  @Command(
      name = "soak",
      mixinStandardHelpOptions = true,
      description =
          "Runs one run of N tasks through the local runtime with every fault injected at rates drawn from the seed, then checks the invariants (no task lost or committed twice, exact summary). Exit 0 if every invariant holds, 1 if not.")
  static final class SoakCommand implements Callable<Integer> {
    @Option(
        names = "--tasks",
        description = "tasks in the run, 1-10000 (default ${DEFAULT-VALUE})",
        defaultValue = "2000")
    int tasks;

    @Option(
        names = "--seed",
        description = "decides the fault rates and schedule (default ${DEFAULT-VALUE})",
        defaultValue = "1")
    long seed;

    @Option(
        names = "--timeout",
        description = "seconds before giving up (default ${DEFAULT-VALUE})",
        defaultValue = "900")
    int timeoutSeconds;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (tasks < 1 || tasks > Limits.MAX_ITEMS) {
        throw new UsageException("--tasks must be from 1 to " + Limits.MAX_ITEMS);
      }
      if (timeoutSeconds < 10) {
        throw new UsageException("--timeout must be at least 10 seconds");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Soak.Result result =
          Soak.run(
              new Soak.Options(tasks, seed, Duration.ofSeconds(timeoutSeconds)),
              line -> {
                if (!json) {
                  err.println(line);
                  err.flush();
                }
              });
      ObjectNode figures = result.toJson();
      if (json) {
        out.println(Json.write(figures));
      } else {
        figures
            .fields()
            .forEachRemaining(f -> out.printf(Locale.ROOT, "%-24s %s%n", f.getKey(), f.getValue()));
      }
      out.flush();
      return result.report().ok() ? EXIT_SUCCEEDED : EXIT_FAILED;
    }
  }

  static String describeError(JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    for (JsonNode e : body.path("errors")) {
      errors.add(
          new FieldError(
              e.path("field").asText(), e.path("message").asText(), e.path("fix").asText()));
    }
    return describeErrors(body.path("message").asText("the request was rejected"), errors);
  }

  static String describeErrors(String message, List<FieldError> errors) {
    StringBuilder text = new StringBuilder(message);
    for (FieldError e : errors) {
      text.append(
          String.format(Locale.ROOT, "%n  %s: %s (fix: %s)", e.field(), e.message(), e.fix()));
    }
    return text.toString();
  }

  /** A small client of the hub's HTTP API. */
  static final class RunClient {
    private final URI base;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RunClient(URI base) {
      this.base = base;
    }

    /** Pauses between submission attempts: about 4 s in all before giving up. */
    static final List<Duration> SUBMIT_RETRY_DELAYS =
        List.of(
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2));

    /**
     * POSTs the run request, retrying a connection failure, a timeout, a 429 or a 5xx with the same
     * idempotency key, so a retry resumes the run the first attempt may have created.
     *
     * @return the accepted run (202, or 200 for the run this key already names)
     * @throws UsageException if the API refused the request itself (4xx)
     * @throws NotSubmittedException if every attempt failed
     */
    JsonNode submit(String requestJson, String key) throws Exception {
      String lastFailure = "";
      for (int attempt = 0; attempt <= SUBMIT_RETRY_DELAYS.size(); attempt++) {
        if (attempt > 0) {
          Thread.sleep(SUBMIT_RETRY_DELAYS.get(attempt - 1).toMillis());
        }
        HttpResponse<String> response;
        try {
          response = post("/runs", requestJson);
        } catch (java.io.IOException e) {
          lastFailure = base + " is unreachable (" + e.getClass().getSimpleName() + ")";
          continue;
        }
        int status = response.statusCode();
        if (status == 202 || status == 200) {
          return Json.parse(response.body());
        }
        if (status == 429 || status >= 500) {
          lastFailure = "POST /runs answered " + status + ": " + response.body();
          continue;
        }
        JsonNode body;
        try {
          body = Json.parse(response.body());
        } catch (JsonProcessingException e) {
          body = Json.object().put("message", response.body());
        }
        throw new UsageException(
            status == 400
                ? describeError(body)
                : "POST /runs answered " + status + ": " + describeError(body));
      }
      throw new NotSubmittedException(
          "could not submit the run: "
              + lastFailure
              + "; run again with --idempotency-key "
              + key
              + " to resume the same run");
    }

    HttpResponse<String> post(String path, String json) throws Exception {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofSeconds(60))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws Exception {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(base.resolve(path))
                  .timeout(Duration.ofSeconds(30))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return Json.parse(response.body());
    }

    /** Polls the run until the collector has summarized it. */
    JsonNode awaitFinished(String runId, Progress progress) throws Exception {
      while (true) {
        JsonNode run = get("/runs/" + runId);
        String status = run.get("status").asText();
        if (status.equals("SUCCEEDED") || status.equals("FAILED")) {
          return run;
        }
        if (progress != null) {
          progress.update(run);
        }
        Thread.sleep(250);
      }
    }
  }
}
