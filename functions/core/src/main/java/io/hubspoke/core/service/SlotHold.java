package io.hubspoke.core.service;

import java.time.Instant;

/**
 * The slot of its run's concurrency cap that an attempt holds while it runs ({@link
 * io.hubspoke.core.store.RunSlots}): a heartbeat that moves the lease moves the hold with it.
 */
@FunctionalInterface
interface SlotHold {
  /** An uncapped run's attempt holds no slot. */
  SlotHold NONE = leaseUntil -> true;

  /**
   * Moves the hold's end along with the lease's new end.
   *
   * @return false if the hold is gone (it ended, and a spoke that needed the slot removed it)
   */
  boolean extendTo(Instant leaseUntil);

  /**
   * The holder's name in the slots item: the claim owner's random part, short because every slot
   * write carries all the holders (about 25 bytes each, not 60).
   */
  static String holderOf(String owner) {
    String random = owner.substring(owner.lastIndexOf('/') + 1).replace("-", "");
    return random.substring(0, Math.min(16, random.length()));
  }
}
