package io.hubspoke.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TaskStatusTest {
  /** The whole transition table, written out so that any change to it is a visible decision. */
  private static final Set<String> ALLOWED =
      Set.of(
          "PENDING->RUNNING",
          "RUNNING->RUNNING",
          "RUNNING->PENDING",
          "RUNNING->SUCCEEDED",
          "RUNNING->FAILED",
          "FAILED->PENDING",
          "PENDING->CANCELLED",
          "RUNNING->CANCELLED",
          "CANCELLED->PENDING");

  /** Every named write and the edges it performs, written out like the table above. */
  private static final Map<TaskTransition, Set<String>> NAMED_WRITES =
      Map.of(
          TaskTransition.CLAIM, Set.of("PENDING->RUNNING", "RUNNING->RUNNING"),
          TaskTransition.HEARTBEAT, Set.of("RUNNING->RUNNING"),
          TaskTransition.COMPLETE, Set.of("RUNNING->SUCCEEDED"),
          TaskTransition.FAIL, Set.of("RUNNING->FAILED"),
          TaskTransition.RELEASE, Set.of("RUNNING->PENDING"),
          TaskTransition.EXPIRE, Set.of("RUNNING->FAILED"),
          TaskTransition.REVIVE, Set.of("FAILED->PENDING", "CANCELLED->PENDING"),
          TaskTransition.CANCEL, Set.of("PENDING->CANCELLED"),
          TaskTransition.CANCEL_CLAIMED, Set.of("RUNNING->CANCELLED"));

  @Test
  void everyNamedWritePerformsExactlyTheEdgesListed() {
    assertEquals(
        EnumSet.allOf(TaskTransition.class), EnumSet.copyOf(NAMED_WRITES.keySet()), "unlisted");
    for (TaskTransition transition : TaskTransition.values()) {
      Set<String> edges = new HashSet<>();
      transition.from().forEach(from -> edges.add(from + "->" + transition.to()));
      assertEquals(NAMED_WRITES.get(transition), edges, transition.name());
    }
  }

  @Test
  void everyPairIsAllowedExactlyWhenTheTableSaysSo() {
    int allowed = 0;
    for (TaskStatus from : TaskStatus.values()) {
      for (TaskStatus to : TaskStatus.values()) {
        boolean expected = ALLOWED.contains(from + "->" + to);
        assertEquals(expected, from.canTransitionTo(to), from + " -> " + to);
        if (expected) {
          allowed++;
        }
      }
    }
    assertEquals(ALLOWED.size(), allowed);
  }

  @Test
  void succeededIsFinalAndOnlyTerminalStatesAreTerminal() {
    assertTrue(TaskStatus.SUCCEEDED.allowedNext().isEmpty());
    assertEquals(EnumSet.of(TaskStatus.PENDING), TaskStatus.CANCELLED.allowedNext());
    assertEquals(
        EnumSet.of(TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED),
        EnumSet.copyOf(
            java.util.Arrays.stream(TaskStatus.values()).filter(TaskStatus::isTerminal).toList()));
  }

  @ParameterizedTest
  @EnumSource(TaskTransition.class)
  void everyNamedWriteIsAnAllowedEdge(TaskTransition transition) {
    assertFalse(transition.from().isEmpty());
    for (TaskStatus from : transition.from()) {
      assertTrue(
          from.canTransitionTo(transition.to()),
          transition + ": " + from + " -> " + transition.to());
    }
  }

  @Test
  void everyAllowedEdgeIsCoveredByANamedWrite() {
    for (TaskStatus from : TaskStatus.values()) {
      for (TaskStatus to : from.allowedNext()) {
        boolean covered = false;
        for (TaskTransition t : TaskTransition.values()) {
          covered |= t.from().contains(from) && t.to() == to;
        }
        assertTrue(covered, "no write performs " + from + " -> " + to);
      }
    }
  }
}
