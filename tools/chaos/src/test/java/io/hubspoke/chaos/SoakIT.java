package io.hubspoke.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** F13: a randomized mix of every fault, on a 2,000-task run, ends with every invariant holding. */
class SoakIT {
  @Test
  void twoThousandTasksUnderEveryFaultLoseAndDoubleNothing() throws Exception {
    Soak.Result result = Soak.run(new Soak.Options(2000, 7, Duration.ofMinutes(8)), line -> {});
    String figures = result.toJson().toString();
    assertTrue(result.report().ok(), "invariants violated: " + figures);
    assertEquals(0, result.report().lost(), figures);
    assertEquals(0, result.report().doubleCommitted(), figures);
    assertTrue(result.report().summaryExact(), figures);
    assertEquals(2000, result.report().tasks(), figures);
    assertTrue(
        result.faults().values().stream().mapToLong(Long::longValue).sum() > 200,
        "faults were injected: " + figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
  }

  @Test
  void twoThousandDiscoveredTasksUnderEveryFaultLoseAndDoubleNothing() throws Exception {
    // The hub discovers the items (a range, 1,000 per page) while every fault goes on: hub
    // crashes after a page's chunks or its checkpoint, lost responses, throttling, duplicates.
    Soak.Result result =
        Soak.run(new Soak.Options(2000, 13, Duration.ofMinutes(8), true), line -> {});
    String figures = result.toJson().toString();
    assertTrue(result.report().ok(), "invariants violated: " + figures);
    assertEquals(0, result.report().lost(), figures);
    assertEquals(0, result.report().doubleCommitted(), figures);
    assertTrue(result.report().summaryExact(), figures);
    assertEquals(2000, result.report().tasks(), figures);
    assertTrue(result.drainAfterFaults().isPresent(), figures);
    System.out.println("discovered soak: " + figures);
  }
}
