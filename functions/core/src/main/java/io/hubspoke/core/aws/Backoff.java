package io.hubspoke.core.aws;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter for the partial failures the SDK does not retry by itself
 * (UnprocessedItems, failed batch entries, FailedEntryCount).
 */
public record Backoff(Duration base, Duration max, int maxAttempts, Sleeper sleeper) {

  /** Sleeps; a seam so tests can run retries without waiting. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  public static Backoff standard() {
    return new Backoff(
        Duration.ofMillis(50), Duration.ofSeconds(5), 10, d -> Thread.sleep(d.toMillis()));
  }

  /** Waits before retry number {@code retry} (1 = the first retry). */
  public void pause(int retry) {
    long cap = Math.min(max.toMillis(), base.toMillis() << Math.min(retry, 20));
    long millis = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    try {
      sleeper.sleep(Duration.ofMillis(millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }
}
