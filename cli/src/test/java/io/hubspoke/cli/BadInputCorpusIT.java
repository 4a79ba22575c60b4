package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.cli.BadInputCorpus.Bus;
import io.hubspoke.cli.BadInputCorpus.Case;
import io.hubspoke.cli.BadInputCorpus.Cli;
import io.hubspoke.cli.BadInputCorpus.Entry;
import io.hubspoke.cli.BadInputCorpus.Event;
import io.hubspoke.cli.BadInputCorpus.Http;
import io.hubspoke.cli.BadInputCorpus.Queue;
import io.hubspoke.collector.CollectorHandler;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.local.ApiClient;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.LocalLambdaContext;
import io.hubspoke.testkit.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Runs every row of {@link BadInputCorpus} against one local runtime: each gets its exact answer
 * and writes nothing (the table is identical before and after, the work queue holds no new message,
 * the dead-letter queue only the expected entry). Then the same runtime serves a valid run to
 * completion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCorpusIT {
  static LocalRuntime runtime;
  static ApiClient api;
  static AwsClients clients;
  static CollectorHandler collector;
  static String finishedRun;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    runtime = LocalRuntime.start(LocalOptions.builder().sweepInterval(Duration.ZERO).build());
    api = new ApiClient(runtime.apiEndpoint());
    clients = AwsClients.fromEnvironment(runtime.environment());
    collector = new CollectorHandler(runtime.environment(), clients, Clock.systemUTC());
    ApiClient.Reply created = api.postRun("{\"items\":[\"a\",\"b\"],\"worker\":\"echo\"}");
    assertEquals(202, created.status(), created.body().toString());
    finishedRun = created.body().get("runId").asText();
    assertEquals(
        "SUCCEEDED", api.awaitFinished(finishedRun, Duration.ofMinutes(1)).get("status").asText());
    assertTrue(runtime.bus().awaitIdle(Duration.ofSeconds(30)));
    cliFiles(dir);
  }

  /** The files the CLI rows name as {@code {DIR}/…}. */
  static void cliFiles(Path dir) throws Exception {
    Files.writeString(dir.resolve("ok.json"), "[1]");
    Files.writeString(dir.resolve("bad.json"), "[1, 2,");
    Files.writeString(dir.resolve("bad.jsonl"), "1\n{\"a\":\n3\n");
    Files.writeString(dir.resolve("empty.json"), "  \n");
    Files.writeString(dir.resolve("empty-array.json"), "[]");
    Files.write(
        dir.resolve("latin1.json"), "[\"caf\u00e9\"]".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("null-item.jsonl"), "1\nnull\n");
    Files.writeString(dir.resolve("too-many.json"), "[" + BadInputCorpus.items(10_001) + "]");
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      clients.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @Order(0)
  void theCorpusHoldsAtLeastFortyCasesFromEveryEntryPoint() {
    Map<Entry, Integer> byEntry = new EnumMap<>(Entry.class);
    BadInputCorpus.CASES.forEach(c -> byEntry.merge(c.entry(), 1, Integer::sum));
    System.out.println("bad-input corpus: " + BadInputCorpus.CASES.size() + " cases " + byEntry);
    assertTrue(BadInputCorpus.CASES.size() >= 40, byEntry.toString());
    for (Entry entry : Entry.values()) {
      assertTrue(byEntry.getOrDefault(entry, 0) > 0, "no case enters through " + entry);
    }
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> everyBadInputGetsItsExactAnswerAndWritesNothing() {
    return BadInputCorpus.CASES.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.entry() + ": " + c.name(),
                    () -> {
                      try {
                        run(c);
                      } catch (AssertionError e) {
                        throw new AssertionError(
                            c.entry() + ": " + c.name() + ": " + e.getMessage(), e);
                      }
                    }));
  }

  @Test
  @Order(2)
  void afterTheCorpusTheSameRuntimeServesAValidRun() throws Exception {
    ApiClient.Reply created =
        api.postRun(
            "{\"items\":[1,2,3,4,5],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":1},"
                + "\"idempotencyKey\":\"after-the-corpus\"}");
    assertEquals(202, created.status(), created.body().toString());
    JsonNode run = api.awaitFinished(created.body().get("runId").asText(), Duration.ofMinutes(1));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(5, run.get("succeeded").asInt());
    assertEquals(5, run.get("summary").get("succeeded").asInt());
    assertEquals(0, deadLetters().size(), "nothing is left in the dead-letter queue");
    JsonNode swept = Json.parse(runtime.sweep());
    assertEquals("SWEPT", swept.path("outcome").asText(), swept.toString());
  }

  // ---- running one row ---------------------------------------------------------------------

  private static void run(Case c) throws Exception {
    State before = State.now();
    if (c instanceof Http h) {
      http(h);
    } else if (c instanceof Queue q) {
      queue(q, before);
    } else if (c instanceof Event e) {
      event(e);
    } else if (c instanceof Bus b) {
      bus(b);
    } else if (c instanceof Cli cli) {
      cli(cli);
    }
    State after = State.now();
    if (c instanceof Queue q && q.reason() == null) {
      // Counting a duplicate of a terminal task again is an idempotent set add, which also stamps
      // the shard counter's updatedAt; the sets, the tasks and the run are unchanged.
      assertEquals(before.withoutCounterTimes(), after.withoutCounterTimes(), "table changed");
    } else {
      assertEquals(before.table(), after.table(), "nothing is written to the table");
    }
    assertEquals(0, after.workQueue(), "no message is left on the work queue");
    assertEquals(0, after.deadLetterQueue(), "no unexpected dead-letter entry");
  }

  private static String fill(String text) {
    return text.replace("{RUN}", finishedRun)
        .replace("{DIR}", dir.toString())
        .replace("{API}", runtime.apiEndpoint().toString());
  }

  private static void http(Http h) throws Exception {
    String path = fill(h.path());
    int status;
    JsonNode body;
    if (validUri(path)) {
      ApiClient.Reply reply = api.send(h.method(), path, h.contentType(), h.body());
      status = reply.status();
      body = reply.body();
    } else {
      String[] reply = raw(h.method(), path);
      status = Integer.parseInt(reply[0]);
      body =
          reply[1].startsWith("{") ? Json.parse(reply[1]) : Json.object().put("message", reply[1]);
    }
    assertEquals(h.status(), status, body.toString());
    assertFalse(body.path("message").asText().isBlank(), "a message: " + body);
    if (h.error() == null) {
      assertFalse(body.has("error"), body.toString());
    } else {
      assertEquals(h.error(), body.path("error").asText(), body.toString());
    }
    if (h.field() == null) {
      assertFalse(body.has("errors"), body.toString());
    } else {
      JsonNode first = body.path("errors").path(0);
      assertEquals(h.field(), first.path("field").asText(), body.toString());
      assertFalse(first.path("message").asText().isBlank(), body.toString());
      assertFalse(first.path("fix").asText().isBlank(), body.toString());
    }
  }

  private static boolean validUri(String path) {
    try {
      new URI(path);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * Sends a request line that {@link java.net.http.HttpClient} refuses to build (e.g. a malformed
   * percent-escape), as any other client may send it; returns the status and the body.
   */
  private static String[] raw(String method, String path) throws Exception {
    URI endpoint = runtime.apiEndpoint();
    try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              (method
                      + " "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + endpoint.getAuthority()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertFalse(response.isEmpty(), "the server answered " + method + " " + path);
      int headersEnd = response.indexOf("\r\n\r\n");
      return new String[] {
        response.split(" ", 3)[1], headersEnd < 0 ? "" : response.substring(headersEnd + 4)
      };
    }
  }

  private static void queue(Queue q, State before) {
    assertEquals(0, before.workQueue());
    String body = fill(q.body());
    String queueUrl = runtime.queues().queueUrl();
    runtime.clients().sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    // The spoke dead-letters (or ignores) the message before it acknowledges it, so once the work
    // queue is empty the dead-letter entry, if any, is there.
    Await.until(
        Duration.ofSeconds(30),
        () -> count(queueUrl) == 0,
        () -> "the spoke did not acknowledge " + body);
    List<Message> deadLetters = deadLetters();
    if (q.reason() == null) {
      assertEquals(List.of(), deadLetters, "acknowledged without a dead-letter entry");
      return;
    }
    assertEquals(1, deadLetters.size(), deadLetters.toString());
    Message entry = deadLetters.get(0);
    assertEquals(body, entry.body());
    assertEquals(fill(q.reason()), entry.messageAttributes().get("hubspoke.reason").stringValue());
    assertTrue(entry.messageAttributes().containsKey("hubspoke.sourceMessageId"));
  }

  private static void event(Event e) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] input =
        fill(new String(e.input(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    collector.handleRequest(
        new ByteArrayInputStream(input),
        out,
        LocalLambdaContext.builder()
            .functionName("hubspoke-collector")
            .timeout(Duration.ofSeconds(60))
            .build());
    JsonNode answer = Json.parse(out.toString(StandardCharsets.UTF_8));
    assertEquals(e.outcome(), answer.path("outcome").asText(), answer.toString());
    if (e.reason() == null) {
      assertNull(answer.get("reason"), answer.toString());
    } else {
      assertEquals(fill(e.reason()), answer.path("reason").asText(), answer.toString());
    }
  }

  private static void bus(Bus b) throws Exception {
    var bus = runtime.bus();
    long delivered = bus.deliveredCount();
    int deadLetters = bus.deadLetters().size();
    int published = bus.publishedEvents().size();
    PutEventsResponse response =
        clients
            .eventBridge()
            .putEvents(
                r ->
                    r.entries(
                        e ->
                            e.eventBusName(LocalOptions.BUS_NAME)
                                .source(EventRules.SOURCE)
                                .detailType(b.detailType())
                                .detail(b.detail())));
    if (b.errorCode() == null) {
      assertEquals(0, response.failedEntryCount(), response.toString());
      assertEquals(published + 1, bus.publishedEvents().size());
    } else {
      assertEquals(1, response.failedEntryCount(), response.toString());
      assertEquals(b.errorCode(), response.entries().get(0).errorCode());
      assertEquals(published, bus.publishedEvents().size());
    }
    assertTrue(bus.awaitIdle(Duration.ofSeconds(30)), "the bus settles");
    assertEquals(delivered + b.deliveries(), bus.deliveredCount(), "deliveries");
    assertEquals(deadLetters, bus.deadLetters().size(), "answered, not retried to a dead letter");
  }

  private static void cli(Cli c) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = c.args().stream().map(BadInputCorpusIT::fill).toArray(String[]::new);
    int exit =
        HubspokeCli.execute(
            args,
            new ByteArrayInputStream(c.stdin().getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertEquals(2, exit, "exit code; stderr: " + err);
    assertTrue(err.toString().contains(c.stderrContains()), "stderr: " + err);
    assertEquals("", out.toString(), "nothing on standard output");
    assertFalse(
        err.toString().contains("starting the local runtime"),
        "a usage error is reported before any engine starts: " + err);
  }

  // ---- observing the engines ---------------------------------------------------------------

  /** Messages on a queue: visible, in flight and delayed. */
  static int count(String queueUrl) {
    Map<String, String> attributes =
        runtime
            .clients()
            .sqs()
            .getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNamesWithStrings("All"))
            .attributesAsStrings();
    return Integer.parseInt(attributes.get("ApproximateNumberOfMessages"))
        + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"))
        + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesDelayed"));
  }

  /** Takes (receives and deletes) everything on the dead-letter queue. */
  static List<Message> deadLetters() {
    String url = runtime.queues().deadLetterQueueUrl();
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> batch =
          runtime
              .clients()
              .sqs()
              .receiveMessage(
                  b ->
                      b.queueUrl(url)
                          .maxNumberOfMessages(10)
                          .messageAttributeNames("All")
                          .waitTimeSeconds(0))
              .messages();
      if (batch.isEmpty()) {
        return all;
      }
      for (Message m : batch) {
        runtime
            .clients()
            .sqs()
            .deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
      }
      all.addAll(batch);
    }
  }

  /** Everything a bad input could have written. */
  record State(List<String> table, int workQueue, int deadLetterQueue) {
    static State now() {
      List<String> items = new ArrayList<>();
      runtime
          .clients()
          .dynamoDb()
          .scanPaginator(b -> b.tableName(LocalOptions.TABLE_NAME).consistentRead(true))
          .items()
          .forEach(item -> items.add(new TreeMap<>(item).toString()));
      items.sort(null);
      return new State(
          items, count(runtime.queues().queueUrl()), count(runtime.queues().deadLetterQueueUrl()));
    }

    List<String> withoutCounterTimes() {
      return table.stream()
          .map(
              i ->
                  i.contains("sk=AttributeValue(S=C)")
                      ? i.replaceAll("updatedAt=AttributeValue\\(N=\\d+\\)", "")
                      : i)
          .toList();
    }
  }
}
