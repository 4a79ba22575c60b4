package io.hubspoke.core.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * The instant by which the AWS calls made on the current thread must stop retrying. A Lambda
 * invocation is frozen at its timeout, in the middle of whatever backoff the SDK was sleeping: the
 * whole batch then fails and every message in it moves one receive closer to the dead-letter queue.
 * A call that gives up before the deadline instead surfaces its last error while there is still
 * time to act on it (the spoke defers a throttled message and acknowledges it).
 *
 * <p>Bound to the thread because the SDK's synchronous clients retry on the caller's thread; work
 * handed to other threads carries no deadline unless it sets one.
 */
public final class CallDeadline {
  private static final ThreadLocal<Instant> CURRENT = new ThreadLocal<>();

  private CallDeadline() {}

  /** Runs {@code work} with AWS retries on this thread bounded by {@code deadline}. */
  public static <T> T within(Instant deadline, Supplier<T> work) {
    Instant previous = CURRENT.get();
    CURRENT.set(deadline);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  /** The deadline of the current thread's calls, if one is set. */
  public static Optional<Instant> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Bounds a call's attempts, including the one in flight, by the current deadline: the SDK aborts
   * the call when the deadline passes. For writes whose holder's lease ends a fixed margin after
   * the deadline: no such write can still be on its way once the lease has ended.
   */
  public static void abortAtDeadline(AwsRequestOverrideConfiguration.Builder config) {
    current()
        .ifPresent(
            deadline -> {
              Duration left = Duration.between(Instant.now(), deadline);
              config.apiCallTimeout(left.toMillis() < 1 ? Duration.ofMillis(1) : left);
            });
  }
}
