package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.hubspoke.cli.CliIT.Result;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.SourceContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's own worker, as "Write your own worker" in the README makes it: examples/worker-java is
 * compiled from its sources against the worker API, packed into a jar with its service files, and
 * run with {@code --worker-jar}: the hub validates its config and the spokes run it, from the jar.
 */
class PluginWorkerIT {
  @TempDir static Path dir;
  static Path jar;
  static HttpServer server;
  static final AtomicInteger flakyCalls = new AtomicInteger();
  static final Map<String, byte[]> documents =
      Map.of(
          "/a.txt", "hello, hubspoke\n".getBytes(StandardCharsets.UTF_8),
          "/b.json", "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
          "/flaky", "third time lucky".getBytes(StandardCharsets.UTF_8));

  @BeforeAll
  static void buildTheExampleAndServeDocuments() throws Exception {
    jar = buildExampleJar(dir);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          byte[] body = documents.get(path);
          if (body == null || path.equals("/flaky") && flakyCalls.incrementAndGet() < 3) {
            int status = body == null ? 404 : 503;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
          }
          exchange
              .getResponseHeaders()
              .add("content-type", path.endsWith(".json") ? "application/json" : "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @Test
  void theSpokesRunTheTeamsWorkerFromItsJar() throws Exception {
    try (LocalRuntime local =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                .workers(WorkerJars.registry(List.of(jar)))
                .build())) {
      List<String> paths = List.of("/a.txt", "/b.json", "/flaky");
      Path items = dir.resolve("urls.json");
      Files.writeString(
          items,
          paths.stream()
              .map(p -> "{\"url\":\"" + base() + p + "\"}")
              .collect(Collectors.joining(",", "[", "]")));
      Result result =
          CliIT.run(
              "",
              "run",
              items.toString(),
              "--worker",
              "sha256",
              "--worker-jar",
              jar.toString(),
              "--api",
              local.apiEndpoint().toString(),
              "--json");
      assertEquals(0, result.exit(), result.err() + result.out());
      JsonNode run = Json.parse(result.out().strip());
      assertEquals("SUCCEEDED", run.get("status").asText());
      JsonNode tasks =
          new ApiClient(local.apiEndpoint())
              .get("/runs/" + run.get("runId").asText() + "/tasks")
              .body()
              .get("tasks");
      assertEquals(3, tasks.size(), tasks.toString());
      for (JsonNode task : tasks) {
        String path = paths.get(task.get("index").asInt());
        JsonNode recorded = task.get("result");
        assertEquals(sha256(documents.get(path)), recorded.get("sha256").asText(), path);
        assertEquals(documents.get(path).length, recorded.get("bytes").asInt(), path);
        assertEquals(
            path.endsWith(".json") ? "application/json" : "text/plain",
            recorded.get("contentType").asText());
      }
      assertEquals(3, flakyCalls.get(), "two 503s were retried, the third call succeeded");
    }
  }

  @Test
  void aMissingDocumentFailsItsTaskForGoodAndTheRunFails() throws Exception {
    Path items = dir.resolve("missing.json");
    Files.writeString(items, "[\"" + base() + "/a.txt\",\"" + base() + "/nope\"]");
    Result result =
        CliIT.run(
            "",
            "run",
            items.toString(),
            "--worker",
            "sha256",
            "--worker-jar",
            jar.toString(),
            "--json");
    assertEquals(1, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("FAILED", run.get("status").asText());
    assertEquals(1, run.at("/summary/succeeded").asInt(), run.toString());
    assertEquals(1, run.at("/summary/failed").asInt(), run.toString());
    assertEquals(2, run.at("/summary/attempts").asInt(), "no retry of a 404: " + run);
  }

  @Test
  void thePluginsConfigIsCheckedBeforeAnyTaskExists() {
    Result result =
        CliIT.run(
            "[1]",
            "run",
            "-",
            "--worker",
            "sha256",
            "--worker-config",
            "{\"maxBytes\":0,\"colour\":\"red\"}",
            "--worker-jar",
            jar.toString());
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("workerConfig.maxBytes"), result.err());
    assertTrue(result.err().contains("workerConfig.colour"), result.err());
  }

  @Test
  void withoutItsJarTheWorkerIsUnknown() {
    Result result = CliIT.run("[1]", "run", "-", "--worker", "sha256");
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("unknown worker 'sha256'"), result.err());
    assertTrue(result.err().contains("echo, sleep, http"), result.err());
  }

  @Test
  void aJarThatIsMissingOrOffersNoWorkerIsAUsageError() throws Exception {
    Result missing =
        CliIT.run("[1]", "run", "-", "--worker-jar", dir.resolve("nope.jar").toString());
    assertEquals(2, missing.exit(), missing.err());
    assertTrue(missing.err().contains("nope.jar is not a file"), missing.err());

    Path empty = dir.resolve("empty.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(empty))) {
      out.putNextEntry(new JarEntry("README.txt"));
      out.write("nothing here".getBytes(StandardCharsets.UTF_8));
    }
    Result nothing = CliIT.run("[1]", "run", "-", "--worker-jar", empty.toString());
    assertEquals(2, nothing.exit(), nothing.err());
    assertTrue(nothing.err().contains("offers no worker"), nothing.err());
    assertTrue(
        nothing.err().contains("META-INF/services/io.hubspoke.worker.TaskWorker"), nothing.err());
  }

  @Test
  void theExampleSourcePagesAFileAndAPageAskedForAgainIsTheSame() throws Exception {
    Path lines = dir.resolve("lines.txt");
    Files.writeString(
        lines,
        IntStream.range(0, 2500)
            .mapToObj(i -> i % 100 == 7 ? "   " : "line-" + i)
            .collect(Collectors.joining("\n")));
    try (URLClassLoader loader =
        new URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      ItemSource source =
          ServiceLoader.load(ItemSource.class, loader).stream()
              .map(ServiceLoader.Provider::get)
              .filter(s -> s.name().equals("lines"))
              .findFirst()
              .orElseThrow();
      JsonNode config = Json.object().put("path", lines.toString()).put("pageSize", 1000);
      assertEquals(List.of(), source.validateConfig(config));
      List<String> all = new ArrayList<>();
      List<String> cursors = new ArrayList<>();
      String cursor = null;
      do {
        ItemPage page = source.page(context(config, cursor));
        ItemPage again = source.page(context(config, cursor));
        assertEquals(page, again, "the same cursor gives the same page");
        page.items().forEach(item -> all.add(item.textValue()));
        cursor = page.nextCursor();
        cursors.add(cursor);
      } while (cursor != null);
      assertEquals(2475, all.size(), "2,500 lines less 25 blank ones");
      assertEquals(3, cursors.size(), "pages of 1,000, 1,000 and 475: " + cursors);
      assertNull(cursors.get(2));
      assertEquals("line-0", all.get(0));
      assertEquals("line-2499", all.get(all.size() - 1));
    }
  }

  /**
   * The example's {@code lines} source named by {@code --source}: the hub discovers the file's
   * 2,475 non-blank lines in pages of 1,000 and makes task i of the i-th, exactly once.
   */
  @Test
  void theHubDiscoversAFilesLinesWithTheExampleSourceEachOneTask() throws Exception {
    Path file = dir.resolve("discovered.txt");
    List<String> lines =
        IntStream.range(0, 2500).mapToObj(i -> i % 100 == 7 ? "   " : "line-" + i).toList();
    Files.writeString(file, String.join("\n", lines));
    List<String> expected = lines.stream().filter(line -> !line.isBlank()).toList();
    assertEquals(2475, expected.size());
    try (LocalRuntime local =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                .workers(WorkerJars.registry(List.of(jar)))
                .build())) {
      Result result =
          CliIT.run(
              "",
              "run",
              "--source",
              Json.write(
                  Json.object()
                      .put("type", "worker")
                      .put("name", "lines")
                      .set("config", Json.object().put("path", file.toString()))),
              "--worker-jar",
              jar.toString(),
              "--api",
              local.apiEndpoint().toString(),
              "--json");
      assertEquals(0, result.exit(), result.err() + result.out());
      JsonNode run = Json.parse(result.out().strip());
      assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
      JsonNode summary = run.get("summary");
      assertEquals(2475, summary.get("total").asInt(), run.toString());
      assertEquals(2475, summary.get("succeeded").asInt(), run.toString());
      assertEquals(2475, summary.get("attempts").asInt(), "each task ran once: " + run);
      assertEquals(3, summary.at("/discovery/pages").asInt(), "1,000, 1,000 and 475: " + run);
      assertEquals(2475, summary.at("/discovery/items").asInt(), run.toString());

      List<JsonNode> tasks =
          new ArrayList<>(
              LambdaCliIT.allTasks(new ApiClient(local.apiEndpoint()), run.get("runId").asText()));
      tasks.sort(Comparator.comparingInt(task -> task.get("index").asInt()));
      assertEquals(2475, tasks.size());
      for (int i = 0; i < tasks.size(); i++) {
        JsonNode task = tasks.get(i);
        assertEquals(i, task.get("index").asInt(), task.toString());
        assertEquals(expected.get(i), task.get("item").asText(), "task " + i);
        assertEquals(expected.get(i), task.get("result").asText(), task.toString());
      }
    }
  }

  @Test
  void theSourcesConfigIsCheckedBeforeTheRunIsAccepted() {
    Result result =
        CliIT.run(
            "",
            "run",
            "--source",
            "{\"type\":\"worker\",\"name\":\"lines\",\"config\":{\"pageSize\":0,\"colour\":\"red\"}}",
            "--worker-jar",
            jar.toString());
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("source.config.path: is required"), result.err());
    assertTrue(result.err().contains("source.config.pageSize"), result.err());
    assertTrue(result.err().contains("source.config.colour"), result.err());

    Result withoutJar =
        CliIT.run(
            "",
            "run",
            "--source",
            "{\"type\":\"worker\",\"name\":\"lines\",\"config\":{\"path\":\"a.txt\"}}");
    assertEquals(2, withoutJar.exit(), withoutJar.err());
    assertTrue(withoutJar.err().contains("unknown item source 'lines'"), withoutJar.err());
  }

  private static SourceContext context(JsonNode config, String cursor) {
    return new SourceContext(
        "r-1", config, cursor, Instant.now().plusSeconds(30), Clock.systemUTC());
  }

  private static String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** What `mvn package` in examples/worker-java makes, built here from the same sources. */
  static Path buildExampleJar(Path work) throws IOException {
    Path example = CliIT.examples().resolve("worker-java");
    Path classes = Files.createDirectories(work.resolve("example-classes"));
    List<String> sources;
    try (Stream<Path> files = Files.walk(example.resolve("src/main/java"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString()));
    args.addAll(List.of("-classpath", System.getProperty("java.class.path")));
    args.addAll(sources);
    int exit = javac.run(null, null, null, args.toArray(String[]::new));
    assertEquals(0, exit, "examples/worker-java compiles against the worker API");
    Path jar = work.resolve("hubspoke-example-workers.jar");
    Path resources = example.resolve("src/main/resources");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Stream.concat(Files.walk(classes), Files.walk(resources))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path root = file.startsWith(classes) ? classes : resources;
        out.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(file));
        out.closeEntry();
      }
    }
    return jar;
  }
}
