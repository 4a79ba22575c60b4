package io.hubspoke.core.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

class DeadlineBoundRetryStrategyTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final RetryToken TOKEN = new RetryToken() {};
  static final RuntimeException THROTTLED = new RuntimeException("throttled");

  final DeadlineBoundRetryStrategy strategy =
      new DeadlineBoundRetryStrategy(
          new FixedDelay(Duration.ofMillis(800)), Clock.fixed(NOW, ZoneOffset.UTC));

  static RefreshRetryTokenRequest failed() {
    return RefreshRetryTokenRequest.builder().token(TOKEN).failure(THROTTLED).build();
  }

  @Test
  void withoutADeadlineItRetriesAsItsDelegate() {
    assertTrue(CallDeadline.current().isEmpty());
    assertEquals(Duration.ofMillis(800), strategy.refreshRetryToken(failed()).delay());
  }

  @Test
  void retriesWhenTheNextAttemptStartsByTheDeadline() {
    RefreshRetryTokenResponse next =
        CallDeadline.within(NOW.plusMillis(800), () -> strategy.refreshRetryToken(failed()));
    assertEquals(Duration.ofMillis(800), next.delay());
  }

  @Test
  void givesUpWithTheLastFailureWhenTheNextAttemptWouldStartAfterTheDeadline() {
    TokenAcquisitionFailedException e =
        assertThrows(
            TokenAcquisitionFailedException.class,
            () ->
                CallDeadline.within(
                    NOW.plusMillis(799), () -> strategy.refreshRetryToken(failed())));
    assertSame(THROTTLED, e.getCause(), "the SDK surfaces the last attempt's error");
    assertSame(TOKEN, e.token());
  }

  @Test
  void aDeadlineHoldsOnlyOnItsOwnThreadAndWithinItsScope() throws Exception {
    AtomicReference<Duration> onOtherThread = new AtomicReference<>();
    CallDeadline.within(
        NOW,
        () -> {
          Thread other =
              new Thread(() -> onOtherThread.set(strategy.refreshRetryToken(failed()).delay()));
          other.start();
          assertThrows(
              TokenAcquisitionFailedException.class, () -> strategy.refreshRetryToken(failed()));
          try {
            other.join();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          return null;
        });
    assertEquals(Duration.ofMillis(800), onOtherThread.get());
    assertTrue(CallDeadline.current().isEmpty());
    CallDeadline.within(
        NOW.plusSeconds(5),
        () -> {
          CallDeadline.within(NOW, () -> null);
          assertEquals(NOW.plusSeconds(5), CallDeadline.current().orElseThrow(), "restored");
          return null;
        });
  }

  @Test
  void theClientBuilderLeavesItAsConfigured() {
    assertFalse(strategy.useClientDefaults());
    assertEquals(3, strategy.maxAttempts());
  }

  /** Retries up to 3 attempts, each after the same delay. */
  record FixedDelay(Duration delay) implements RetryStrategy {
    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
      return AcquireInitialTokenResponse.create(TOKEN, Duration.ZERO);
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
      return RefreshRetryTokenResponse.create(request.token(), delay);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
      return RecordSuccessResponse.create(request.token());
    }

    @Override
    public int maxAttempts() {
      return 3;
    }

    @Override
    public Builder<?, ?> toBuilder() {
      throw new UnsupportedOperationException();
    }
  }
}
