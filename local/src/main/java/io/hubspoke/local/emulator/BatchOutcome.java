package io.hubspoke.local.emulator;

import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What an invocation decided for its batch: either the batch failed (nothing is deleted, every
 * message reappears after its visibility timeout), or the ids of the messages to keep, all others
 * being deleted.
 */
record BatchOutcome(Set<String> keep, String failure) {
  static BatchOutcome deleteAll() {
    return new BatchOutcome(Set.of(), null);
  }

  static BatchOutcome failed(String why) {
    return new BatchOutcome(null, why);
  }

  boolean isFailed() {
    return failure != null;
  }

  /** The messages of {@code batch} to delete: none if the batch failed, else all not kept. */
  List<Message> toDelete(List<Message> batch) {
    if (isFailed()) {
      return List.of();
    }
    return batch.stream().filter(m -> !keep.contains(m.messageId())).toList();
  }
}
