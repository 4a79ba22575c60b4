package io.hubspoke.core.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlotWaitTest {
  @Test
  void aWaitDoublesWithEachWaitUpToAMinuteJitteredToHalfOfIt() {
    for (int waits = 0; waits < 20; waits++) {
      int longest = Math.min(TaskExecutionService.MAX_SLOT_WAIT_SECONDS, 1 << Math.min(waits, 6));
      for (int draw = 0; draw < 200; draw++) {
        int wait = TaskExecutionService.slotWaitSeconds(waits);
        assertTrue(wait >= Math.max(1, longest / 2) && wait <= longest, waits + " -> " + wait);
      }
    }
  }

  @Test
  void aHolderNameIsTheClaimOwnersRandomPartShortened() {
    String holder =
        TaskExecutionService.holderOf("spoke-1a2b3c4d/123e4567-e89b-12d3-a456-426614174000");
    assertTrue(holder.equals("123e4567e89b12d3"), holder);
  }
}
