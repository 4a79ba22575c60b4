package io.hubspoke.local.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.ApiClient;
import io.hubspoke.testkit.Await;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every event the local bus received from real runs (one that succeeds, one with failed tasks, a
 * discovered range, a discovery that fails, a request that cannot be dispatched), validated against
 * {@code docs/events/*.schema.json}, the files {@code docs/events.md} links; and every detail-type
 * in {@link EventRules} documented there, with each field its schema names.
 */
class EventContractIT {
  static final String ENVELOPE = "events/envelope.schema.json";

  static ContractDocs schemas;
  static ContractRuns runs;

  @BeforeAll
  static void start() {
    List<String> files = new ArrayList<>(List.of(ENVELOPE));
    detailTypes().forEach(type -> files.add(schemaFile(type)));
    schemas = new ContractDocs(files);
    runs = new ContractRuns();
  }

  @AfterAll
  static void stop() {
    if (runs != null) {
      runs.close();
    }
  }

  /**
   * The detail-types {@link EventRules} declares: its String constants but the source and rules.
   */
  static Set<String> detailTypes() {
    Set<String> types = new TreeSet<>();
    for (Field field : EventRules.class.getFields()) {
      int modifiers = field.getModifiers();
      if (Modifier.isStatic(modifiers)
          && field.getType() == String.class
          && !field.getName().equals("SOURCE")
          && !field.getName().endsWith("_RULE")
          && !field.getName().endsWith("_PATTERN")) {
        try {
          types.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return types;
  }

  static String schemaFile(String detailType) {
    return "events/" + detailType + ".schema.json";
  }

  static String submit(String request) throws Exception {
    ApiClient.Reply reply = runs.api.postRun(request);
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  /** The envelopes the bus accepted for {@code runId}, in order. */
  static List<JsonNode> events(String runId) {
    return runs.runtime.bus().publishedEvents().stream()
        .map(Json::parseTrusted)
        .filter(e -> e.path("detail").path("runId").asText().equals(runId))
        .toList();
  }

  static List<String> typesOf(String runId) {
    return events(runId).stream().map(e -> e.path("detail-type").asText()).toList();
  }

  @Test
  void everyEventOfRealRunsMatchesItsSchema() throws Exception {
    Map<String, String> runIds = new LinkedHashMap<>();
    runIds.put("succeeding", submit(ContractRuns.succeeding()));
    runIds.put("hybrid", submit(ContractRuns.hybrid()));
    runIds.put("failing", submit(ContractRuns.failing()));
    runIds.put("range", submit(ContractRuns.range()));
    runIds.put("brokenDiscovery", submit(ContractRuns.brokenDiscovery()));
    runIds.put(
        "undispatchable", submit(runs.undispatchable("undispatchable-" + UUID.randomUUID())));
    String cancelled = submit(ContractRuns.cancellable());
    assertEquals(202, runs.api.send("DELETE", "/runs/" + cancelled, null, null).status());
    runIds.put("cancelled", cancelled);
    for (String runId : runIds.values()) {
      runs.api.awaitFinished(runId, Duration.ofMinutes(2));
      Await.until(
          Duration.ofSeconds(30),
          () -> typesOf(runId).contains(EventRules.RUN_COMPLETED),
          () -> "no RunCompleted for " + runId + ": " + events(runId));
    }
    // The cancelled run, redriven: RunRedriven, then a second RunCompleted naming its round.
    assertEquals(
        202, runs.api.send("POST", "/runs/" + cancelled + "/redrive", null, null).status());
    runs.api.awaitFinished(cancelled, Duration.ofMinutes(2));
    Await.until(
        Duration.ofSeconds(30),
        () -> typesOf(cancelled).stream().filter(EventRules.RUN_COMPLETED::equals).count() == 2,
        () -> "no second RunCompleted for " + cancelled + ": " + events(cancelled));

    Set<String> seen = new TreeSet<>();
    for (String runId : runIds.values()) {
      for (JsonNode event : events(runId)) {
        String type = event.path("detail-type").asText();
        assertEquals(List.of(), schemas.errors(ENVELOPE, List.of(), event), event.toString());
        assertEquals(
            List.of(),
            schemas.errors(schemaFile(type), List.of(), event.get("detail")),
            schemaFile(type) + ": " + event);
        seen.add(type);
      }
    }
    assertEquals(detailTypes(), seen, "every detail-type was published and checked");

    for (String name : List.of("succeeding", "failing", "range", "brokenDiscovery")) {
      String runId = runIds.get(name);
      assertEquals(
          Set.of(EventRules.RUN_STARTED, EventRules.RUN_DRAINED, EventRules.RUN_COMPLETED),
          new TreeSet<>(typesOf(runId)),
          name + ": " + events(runId));
    }
    // A hybrid run's spokes are woken by WorkAvailable, not by messages.
    assertEquals(
        Set.of(
            EventRules.RUN_STARTED,
            EventRules.RUN_DRAINED,
            EventRules.RUN_COMPLETED,
            EventRules.WORK_AVAILABLE),
        new TreeSet<>(typesOf(runIds.get("hybrid"))),
        events(runIds.get("hybrid")).toString());
    assertEquals(4, completed(runIds.get("hybrid")).get("succeeded").asInt());
    assertEquals("SUCCEEDED", completed(runIds.get("succeeding")).get("status").asText());
    assertEquals(5, completed(runIds.get("succeeding")).get("succeeded").asInt());
    JsonNode failing = completed(runIds.get("failing"));
    assertEquals("FAILED", failing.get("status").asText(), failing.toString());
    assertTrue(failing.get("failed").asInt() > 0, failing.toString());
    assertEquals(500, completed(runIds.get("range")).get("total").asInt());
    JsonNode broken = completed(runIds.get("brokenDiscovery"));
    assertEquals("FAILED", broken.get("status").asText(), broken.toString());
    assertEquals(4, broken.get("succeeded").asInt(), broken.toString());

    // The request that could not be dispatched: never started, completed FAILED with the reason.
    String undispatchable = runIds.get("undispatchable");
    assertFalse(
        typesOf(undispatchable).contains(EventRules.RUN_STARTED),
        events(undispatchable).toString());
    JsonNode reason = completed(undispatchable);
    assertEquals("FAILED", reason.get("status").asText(), reason.toString());
    assertTrue(reason.get("reason").asText().contains("missing"), reason.toString());

    // The cancelled run: RunCancelled, then RunCompleted CANCELLED with what never ran.
    assertTrue(typesOf(cancelled).contains(EventRules.RUN_CANCELLED), events(cancelled).toString());
    JsonNode end = completed(cancelled, 0);
    assertEquals("CANCELLED", end.get("status").asText(), end.toString());
    assertEquals(
        end.get("total").asInt(),
        end.get("succeeded").asInt() + end.get("failed").asInt() + end.get("cancelled").asInt(),
        end.toString());
    // Its redrive ran the cancelled tasks: the second RunCompleted is SUCCEEDED, in round 1.
    assertTrue(typesOf(cancelled).contains(EventRules.RUN_REDRIVEN), events(cancelled).toString());
    JsonNode again = completed(cancelled, 1);
    assertEquals("SUCCEEDED", again.get("status").asText(), again.toString());
    assertEquals(1, again.get("round").asInt(), again.toString());
    assertEquals(again.get("total").asInt(), again.get("succeeded").asInt(), again.toString());
  }

  /** The {@code RunCompleted} of the run's round {@code round}. */
  static JsonNode completed(String runId, int round) {
    return events(runId).stream()
        .filter(e -> e.path("detail-type").asText().equals(EventRules.RUN_COMPLETED))
        .map(e -> e.get("detail"))
        .filter(detail -> detail.path("round").asInt(0) == round)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no RunCompleted of round " + round));
  }

  static JsonNode completed(String runId) {
    return events(runId).stream()
        .filter(e -> e.path("detail-type").asText().equals(EventRules.RUN_COMPLETED))
        .findFirst()
        .orElseThrow()
        .get("detail");
  }

  @Test
  void everyDetailTypeIsDocumentedWithEachOfItsFields() throws IOException {
    Path docs = ContractDocs.docs();
    String md = Files.readString(docs.resolve("events.md"));
    Set<String> types = detailTypes();
    for (String type : types) {
      String heading = "## `" + type + "`";
      int start = md.indexOf(heading);
      assertTrue(start >= 0, "docs/events.md has no section " + heading);
      int end = md.indexOf("\n## ", start + heading.length());
      String section = md.substring(start, end < 0 ? md.length() : end);
      assertTrue(md.contains("(" + schemaFile(type) + ")"), "docs/events.md links " + type);
      JsonNode schema = ContractDocs.read(docs.resolve(schemaFile(type)));
      for (String field : fields(schema)) {
        assertTrue(
            section.contains("`" + field + "`"), heading + " does not name the field " + field);
      }
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> listing = Files.list(docs.resolve("events"))) {
      listing
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".schema.json") && !n.equals("envelope.schema.json"))
          .forEach(n -> files.add(n.substring(0, n.length() - ".schema.json".length())));
    }
    assertEquals(types, files, "a schema per detail-type, and none for another");
    Set<String> inEnvelope = new TreeSet<>();
    ContractDocs.read(docs.resolve(ENVELOPE))
        .at("/properties/detail-type/enum")
        .forEach(t -> inEnvelope.add(t.asText()));
    assertEquals(types, inEnvelope, "the envelope's detail-types");
  }

  /** The property names a schema declares, at its top level and in its oneOf branches. */
  static Set<String> fields(JsonNode schema) {
    Set<String> fields = new TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(fields::add);
    schema.path("oneOf").forEach(branch -> fields.addAll(fields(branch)));
    return fields;
  }

  @Test
  void theSchemasRejectWhatIsNotSent() {
    ObjectNode completed =
        Json.object()
            .put("runId", "r-0123456789abcdef01234567")
            .put("status", "SUCCEEDED")
            .put("total", 2)
            .put("succeeded", 2)
            .put("failed", 0);
    String file = schemaFile(EventRules.RUN_COMPLETED);
    assertEquals(List.of(), schemas.errors(file, List.of(), completed));
    assertFalse(schemas.errors(file, List.of(), completed.deepCopy().put("failed", 1)).isEmpty());
    ObjectNode withoutTotal = completed.deepCopy();
    withoutTotal.remove("total");
    assertFalse(schemas.errors(file, List.of(), withoutTotal).isEmpty());
    assertFalse(
        schemas.errors(file, List.of(), completed.deepCopy().put("reason", "both")).isEmpty());
    assertFalse(
        schemas
            .errors(
                schemaFile(EventRules.RUN_DRAINED),
                List.of(),
                Json.object().put("runId", "r-0123456789abcdef01234567").put("total", 1))
            .isEmpty());
    assertFalse(
        schemas
            .errors(
                schemaFile(EventRules.RUN_STARTED),
                List.of(),
                Json.object().put("runId", "not-a-run"))
            .isEmpty());
  }
}
