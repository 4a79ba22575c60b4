package io.hubspoke.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The local runtime refuses settings a spoke cannot run with, before starting anything. */
class LocalOptionsTest {
  static void assertRejected(LocalOptions.Builder options, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, options::build);
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void theTestSuitesTimingsAndTheDefaultsAreCoherent() {
    LocalOptions.builder().build();
    LocalOptions.builder()
        .spokeTimeout(Duration.ofSeconds(3))
        .visibilityTimeout(Duration.ofSeconds(4))
        .leaseGrace(Duration.ofSeconds(1))
        .build();
    assertEquals(
        100,
        LocalOptions.builder()
            .batchSize(100)
            .batchingWindow(Duration.ofSeconds(1))
            .build()
            .batchSize());
  }

  @Test
  void aVisibilityTimeoutThatEndsBeforeALeaseCanIsRejected() {
    assertRejected(
        LocalOptions.builder()
            .spokeTimeout(Duration.ofSeconds(4))
            .visibilityTimeout(Duration.ofSeconds(4))
            .leaseGrace(Duration.ofSeconds(1)),
        "visibility timeout");
  }

  @Test
  void aSpokeTimeoutThatLeavesATaskNoTimeIsRejected() {
    assertRejected(LocalOptions.builder().spokeTimeout(Duration.ofSeconds(1)), "spoke timeout");
  }

  @Test
  void aLeaseGraceThatADelayedMessageCannotReachPastIsRejected() {
    assertRejected(
        LocalOptions.builder()
            .spokeTimeout(Duration.ofSeconds(60))
            .visibilityTimeout(Duration.ofSeconds(2000))
            .leaseGrace(Duration.ofSeconds(900)),
        "lease grace");
  }

  @Test
  void aBatchLargerThanASpokeWorksOnAtOnceIsRejected() {
    assertRejected(
        LocalOptions.builder().batchSize(101).batchingWindow(Duration.ofSeconds(1)),
        "batch size is 101");
  }
}
