package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RunStatusTest {
  private static final Set<String> ALLOWED =
      Set.of(
          "DISCOVERING->DISPATCHING",
          "DISCOVERING->FAILED",
          "DISCOVERING->CANCELLING",
          "DISPATCHING->CANCELLING",
          "RUNNING->CANCELLING",
          "CANCELLING->SUMMARIZING",
          "CANCELLING->FAILED",
          "SUMMARIZING->CANCELLED",
          "DISPATCHING->RUNNING",
          "DISPATCHING->SUMMARIZING",
          "DISPATCHING->FAILED",
          "RUNNING->SUMMARIZING",
          "SUMMARIZING->SUMMARIZING",
          "SUMMARIZING->SUCCEEDED",
          "SUMMARIZING->FAILED",
          "SUCCEEDED->RUNNING",
          "FAILED->RUNNING",
          "CANCELLED->RUNNING");

  @Test
  void everyPairIsAllowedExactlyWhenTheTableSaysSo() {
    for (RunStatus from : RunStatus.values()) {
      for (RunStatus to : RunStatus.values()) {
        assertEquals(
            ALLOWED.contains(from + "->" + to), from.canTransitionTo(to), from + " -> " + to);
      }
      // A finished run moves only when a redrive runs it again.
      assertEquals(
          from.allowedNext().equals(java.util.EnumSet.of(RunStatus.RUNNING)),
          from.isTerminal(),
          from + " terminal");
    }
  }
}
