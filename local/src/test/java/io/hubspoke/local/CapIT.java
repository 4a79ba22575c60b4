package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.worker.EchoWorker;
import io.hubspoke.core.worker.WorkerRegistry;
import io.hubspoke.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConcurrency}: a run capped at K never has more than K of its tasks running at once,
 * however many spoke invocations the queue gets, measured from its tasks' attempt start and end
 * times as the API shows them; the same work uncapped runs wider, so the measure would see a cap
 * that did not hold; a capped run cancelled and redriven keeps its cap and ends with exact counts.
 */
class CapIT {
  static final ChoosyWorker worker = new ChoosyWorker();
  static LocalRuntime runtime;
  static ApiClient api;

  @BeforeAll
  static void start() {
    runtime =
        LocalRuntime.start(
            LocalOptions.builder()
                // Up to 4 invocations of up to 10 messages each: 40 tasks could run at once.
                .maximumConcurrency(4)
                // The sweep runs when a test calls it, and finds a task overdue soon.
                .sweepInterval(Duration.ZERO)
                .stallMargin(Duration.ofMillis(500))
                .workers(new WorkerRegistry(List.of(new EchoWorker(), worker), List.of()))
                .build());
    api = new ApiClient(runtime.apiEndpoint());
  }

  @AfterAll
  static void stop() {
    runtime.close();
  }

  static String submit(String key, int items, int workMillis, String extra) throws Exception {
    ApiClient.Reply reply =
        api.postRun(
            "{\"items\":"
                + CancelIT.items(items)
                + ",\"worker\":\"choosy\",\"workerConfig\":{\"ms\":"
                + workMillis
                + ",\"key\":\""
                + key
                + "\"}"
                + extra
                + "}");
    assertEquals(202, reply.status(), reply.body().toString());
    return reply.body().get("runId").asText();
  }

  static int succeeded(String runId) {
    try {
      return api.get("/runs/" + runId).body().path("succeeded").asInt();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** One attempt's time on a spoke, from its task's attempt history. */
  record Interval(int task, Instant start, Instant end) {}

  static List<Interval> attempts(String runId, int tasks) throws Exception {
    List<Interval> intervals = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      ApiClient.Reply reply = api.get("/runs/" + runId + "/tasks/" + i);
      assertEquals(200, reply.status(), reply.body().toString());
      for (JsonNode attempt : reply.body().get("attempts")) {
        assertTrue(attempt.hasNonNull("endedAt"), "every attempt ended: " + reply.body());
        intervals.add(
            new Interval(
                i,
                Instant.parse(attempt.get("startedAt").asText()),
                Instant.parse(attempt.get("endedAt").asText())));
      }
    }
    return intervals;
  }

  /**
   * The most attempts running at one instant: a sweep over start (+1) and end (-1) events, an end
   * before a start at the same instant (a slot handed from one attempt to the next).
   */
  static int maxOverlap(List<Interval> intervals) {
    record Event(Instant at, int delta) {}
    List<Event> events = new ArrayList<>();
    for (Interval interval : intervals) {
      events.add(new Event(interval.start(), 1));
      events.add(new Event(interval.end(), -1));
    }
    events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::delta));
    int running = 0;
    int most = 0;
    for (Event event : events) {
      running += event.delta();
      most = Math.max(most, running);
    }
    return most;
  }

  @Test
  void aCappedRunNeverRunsMoreThanItsCapAndReachesIt() throws Exception {
    String capped = submit("capped", 48, 100, ",\"maxConcurrency\":3");
    JsonNode run = api.awaitFinished(capped, Duration.ofMinutes(3));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(48, run.get("summary").get("succeeded").asInt(), run.toString());
    assertEquals(3, run.get("maxConcurrency").asInt(), "the run shows its cap: " + run);
    List<Interval> intervals = attempts(capped, 48);
    assertEquals(3, maxOverlap(intervals), "at most 3 at once, and 3 reached: " + intervals);
    System.out.printf(
        "capped at 3: 48 tasks of 100 ms in %d ms (ideal %d ms), %d attempts%n",
        run.get("summary").get("wallClockMs").asLong(), 48 * 100 / 3, intervals.size());

    // The same work uncapped: the measure sees the spokes run it wider than the cap.
    String uncapped = submit("uncapped", 48, 100, "");
    assertEquals(
        "SUCCEEDED", api.awaitFinished(uncapped, Duration.ofMinutes(2)).get("status").asText());
    int wide = maxOverlap(attempts(uncapped, 48));
    assertTrue(wide > 3, "uncapped, " + wide + " ran at once");
  }

  @Test
  void aCappedRunCancelledAndRedrivenKeepsItsCapAndEndsWithExactCounts() throws Exception {
    String runId = submit("cancel", 30, 150, ",\"maxConcurrency\":2");
    Await.until(
        Duration.ofMinutes(1), () -> succeeded(runId) >= 4, () -> "4 tasks of the capped run done");
    assertEquals(202, api.send("DELETE", "/runs/" + runId, null, null).status());
    JsonNode cancelled = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("CANCELLED", cancelled.get("status").asText(), cancelled.toString());
    JsonNode summary = cancelled.get("summary");
    int succeeded = summary.get("succeeded").asInt();
    int notRun = summary.get("cancelled").asInt();
    assertTrue(notRun > 0, "the cancel came before every task ran: " + cancelled);
    assertEquals(30, succeeded + notRun + summary.get("failed").asInt(), cancelled.toString());

    ApiClient.Reply redrive =
        api.send(
            "POST",
            "/runs/" + runId + "/redrive",
            "application/json",
            "{\"statuses\":[\"CANCELLED\"]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(202, redrive.status(), redrive.body().toString());
    JsonNode done = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
    assertEquals(30, done.get("summary").get("succeeded").asInt(), done.toString());
    int most = maxOverlap(attempts(runId, 30));
    assertTrue(most <= 2, "both rounds together never ran more than 2 at once: " + most);
  }

  @Test
  void theSweepSendsNoCopiesOfTasksWaitingForTheSlotsOfAFullRun() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    worker.gates.put("full", gate);
    String runId = submit("full", 5, 0, ",\"maxConcurrency\":1");
    Await.until(
        Duration.ofSeconds(30),
        () -> IntStream.range(0, 5).map(i -> worker.executionsOf("full", i)).sum() > 0,
        () -> "no task took the slot");
    Instant created = Instant.parse(api.get("/runs/" + runId).body().get("createdAt").asText());
    // Every waiting task is overdue (PENDING a stall margin after it was created) ...
    Await.until(
        Duration.ofSeconds(10),
        () -> Instant.now().isAfter(created.plusSeconds(1)),
        () -> "the stall margin never passed");
    runtime.sweep();
    runtime.sweep();
    // ... and the sweep sent none again: the run's only slot is held.
    DurableSubmissionIT.taskItems(runtime, runId)
        .forEach(
            (index, item) ->
                assertTrue(
                    !item.containsKey("resends"), "task " + index + " was sent again: " + item));

    gate.countDown();
    JsonNode run = api.awaitFinished(runId, Duration.ofMinutes(2));
    assertEquals("SUCCEEDED", run.get("status").asText(), run.toString());
    assertEquals(5, run.get("summary").get("succeeded").asInt(), run.toString());
    assertEquals(1, maxOverlap(attempts(runId, 5)));
  }
}
