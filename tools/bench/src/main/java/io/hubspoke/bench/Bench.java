package io.hubspoke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.engines.DynamoDbLocalEngine;
import io.hubspoke.engines.ElasticMqEngine;
import io.hubspoke.engines.LocalTables;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.LocalEventBus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the scenarios share: run requests, waiting for runs, engines, child JVMs, rounding. */
public final class Bench {
  private Bench() {}

  /** A run request of {@code n} items {@code 0…n-1} for the sleep worker. */
  static String sleepRequest(int n, int sleepMs) {
    ObjectNode request = Json.object();
    ArrayNode items = request.putArray("items");
    for (int i = 0; i < n; i++) {
      items.add(i);
    }
    request.put("worker", "sleep");
    request.putObject("workerConfig").put("ms", sleepMs);
    return Json.write(request);
  }

  /** Submits a run by invoking the hub directly; returns its run id. */
  static String submit(LocalRuntime runtime, String requestJson) throws IOException {
    JsonNode response = Json.parse(runtime.invokeHub(requestJson));
    if (!response.hasNonNull("runId")) {
      throw new IllegalStateException("the hub refused the run: " + Json.write(response));
    }
    return response.get("runId").asText();
  }

  /**
   * Waits for the run's {@code RunCompleted} event on the local bus, which costs no AWS request (a
   * status poll through the API would be counted); returns its detail.
   */
  static JsonNode awaitCompleted(LocalRuntime runtime, String runId, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      List<String> events = runtime.bus().publishedEvents();
      for (int i = seen; i < events.size(); i++) {
        JsonNode e = Json.parseTrusted(events.get(i));
        if (e.path("detail-type").asText().equals(EventRules.RUN_COMPLETED)
            && e.path("detail").path("runId").asText().equals(runId)) {
          return e.get("detail");
        }
      }
      seen = events.size();
      Thread.sleep(5);
    }
    throw new IllegalStateException("run " + runId + " did not complete within " + timeout);
  }

  static LocalOptions.Builder options() {
    // No scheduled sweep: it would add collector invocations and reads to what is measured.
    return LocalOptions.builder().sweepInterval(Duration.ZERO);
  }

  /** The engines without any function, poller or rule: for measuring one function alone. */
  static final class Engines implements AutoCloseable {
    final DynamoDbLocalEngine dynamoDb;
    final ElasticMqEngine elasticMq;
    final LocalEventBus bus;
    final AwsClients admin;
    final HubspokeEnvironment environment;
    final ElasticMqEngine.WorkQueues dispatchQueues;

    Engines() {
      List<AutoCloseable> started = new ArrayList<>();
      try {
        dynamoDb = DynamoDbLocalEngine.start();
        started.add(dynamoDb);
        elasticMq = ElasticMqEngine.start();
        started.add(elasticMq);
        bus = LocalEventBus.builder().busName(LocalOptions.BUS_NAME).region("us-east-1").start();
        started.add(bus);
        Map<String, String> env = new HashMap<>();
        env.put(HubspokeEnvironment.AWS_REGION, "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put(HubspokeEnvironment.ENDPOINT_DYNAMODB, dynamoDb.endpoint().toString());
        env.put(HubspokeEnvironment.ENDPOINT_SQS, elasticMq.endpoint().toString());
        env.put(HubspokeEnvironment.ENDPOINT_EVENTBRIDGE, bus.endpoint().toString());
        admin = AwsClients.fromEnvironment(new HubspokeEnvironment(env));
        started.add(admin);
        LocalTables.create(admin.dynamoDb(), LocalOptions.TABLE_NAME);
        ElasticMqEngine.WorkQueues queues =
            ElasticMqEngine.createWorkQueues(
                admin.sqs(), LocalOptions.QUEUE_NAME, Duration.ofSeconds(360), 8);
        env.put(HubspokeEnvironment.TABLE_NAME, LocalOptions.TABLE_NAME);
        env.put(HubspokeEnvironment.QUEUE_URL, queues.queueUrl());
        env.put(HubspokeEnvironment.DEAD_LETTER_QUEUE_URL, queues.deadLetterQueueUrl());
        env.put(HubspokeEnvironment.EVENT_BUS_NAME, LocalOptions.BUS_NAME);
        dispatchQueues =
            ElasticMqEngine.createWorkQueues(
                admin.sqs(), LocalOptions.DISPATCH_QUEUE_NAME, Duration.ofSeconds(180), 8);
        env.put(HubspokeEnvironment.DISPATCH_QUEUE_URL, dispatchQueues.queueUrl());
        env.put(
            HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL,
            dispatchQueues.deadLetterQueueUrl());
        environment = new HubspokeEnvironment(env);
      } catch (RuntimeException | Error e) {
        closeAll(started);
        throw e;
      }
    }

    @Override
    public void close() {
      closeAll(List.of(bus, elasticMq, dynamoDb, admin));
    }

    private static void closeAll(List<AutoCloseable> resources) {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception ignored) {
          // best effort
        }
      }
    }
  }

  // ---- child JVMs ---------------------------------------------------------------------------

  /**
   * The flags the child JVM runs with: the Lambda Java runtimes start the JVM with tiered
   * compilation stopped at C1 for a faster start; the heap is sized for a 1,024 MB function.
   */
  static final List<String> CHILD_JVM_FLAGS =
      List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx768m");

  /** Copies {@link FunctionProbe}'s class files out of this module into {@code dir}. */
  static Path probeClasses(Path dir) throws IOException {
    Path pkg = dir.resolve(FunctionProbe.class.getPackageName().replace('.', '/'));
    Files.createDirectories(pkg);
    for (String name : FunctionProbe.CLASS_FILES) {
      try (InputStream in = FunctionProbe.class.getResourceAsStream(name + ".class")) {
        if (in == null) {
          throw new IllegalStateException("class file " + name + ".class not found");
        }
        Files.write(pkg.resolve(name + ".class"), in.readAllBytes());
      }
    }
    return dir;
  }

  record ChildResult(List<JsonNode> lines, long wallMs, String stderr) {}

  /**
   * Waits until the machine's 1-minute load average is at most half its cores, or {@code longest}
   * passed: cold starts measured right after a build or another scenario measure the machine's
   * backlog, not the function. Returns the load when it stopped waiting.
   */
  static double awaitQuietMachine(Duration longest) throws InterruptedException {
    double quiet = Runtime.getRuntime().availableProcessors() / 2.0;
    long until = System.nanoTime() + longest.toNanos();
    double load = loadAverage();
    while (load > quiet && System.nanoTime() < until) {
      Thread.sleep(1000);
      load = loadAverage();
    }
    return load;
  }

  /** The machine's 1-minute load average (negative where the OS does not tell). */
  public static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * Unpacks a function's jar into {@code dir}, as Lambda unpacks a deployment package into {@code
   * /var/task}: its classes are then loaded from files, not inflated from the archive.
   */
  static Path explode(Path jar, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (java.util.zip.ZipInputStream zip =
        new java.util.zip.ZipInputStream(Files.newInputStream(jar))) {
      for (java.util.zip.ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        Path target = dir.resolve(entry.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("entry outside the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return dir;
  }

  /**
   * Runs {@link FunctionProbe} in a fresh JVM with {@code code} (a jar or a directory) and the
   * probe on its class path.
   */
  static ChildResult runProbe(
      Path code, Path probeDir, Map<String, String> env, Duration timeout, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(CHILD_JVM_FLAGS);
    command.add("-cp");
    command.add(code + java.io.File.pathSeparator + probeDir);
    command.add(FunctionProbe.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    Path err = Files.createTempFile("hubspoke-probe", ".err");
    builder.redirectError(err.toFile());
    long t0 = System.nanoTime();
    Process process = builder.start();
    String out;
    try (InputStream in = process.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the probe JVM did not finish within " + timeout);
    }
    long wallMs = (System.nanoTime() - t0) / 1_000_000;
    String stderr = Files.readString(err);
    Files.deleteIfExists(err);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "the probe JVM exited with " + process.exitValue() + ": " + tail(stderr, 2000));
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("{")) {
        lines.add(Json.parseTrusted(line));
      }
    }
    return new ChildResult(lines, wallMs, stderr);
  }

  /** Environment for a child JVM: the function's variables plus what a JVM needs. */
  static Map<String, String> childEnvironment(HubspokeEnvironment env) {
    Map<String, String> vars = new HashMap<>(env.asMap());
    for (String keep : List.of("PATH", "HOME", "TMPDIR", "LANG")) {
      String v = System.getenv(keep);
      if (v != null) {
        vars.put(keep, v);
      }
    }
    return vars;
  }

  static String tail(String s, int chars) {
    return s.length() <= chars ? s : "…" + s.substring(s.length() - chars);
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- numbers ------------------------------------------------------------------------------

  public static double round(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
  }

  public static double seconds(long nanos) {
    return round(nanos / 1e9, 2);
  }
}
