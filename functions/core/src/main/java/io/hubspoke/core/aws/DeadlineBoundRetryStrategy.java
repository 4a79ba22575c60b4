package io.hubspoke.core.aws;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * A retry strategy that retries as its delegate does, except that it gives up when the next attempt
 * would start after the calling thread's {@link CallDeadline}: the SDK then throws the last
 * attempt's error (a throttling error stays a throttling error) instead of sleeping past the
 * deadline.
 */
final class DeadlineBoundRetryStrategy implements RetryStrategy {
  private final RetryStrategy delegate;
  private final Clock clock;

  DeadlineBoundRetryStrategy(RetryStrategy delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  @Override
  public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
    Optional<Instant> deadline = CallDeadline.current();
    if (deadline.isPresent() && !clock.instant().isBefore(deadline.get())) {
      // A function past its deadline is stopped on Lambda: it must not start writing here either.
      throw new TokenAcquisitionFailedException("the call's deadline has passed");
    }
    return delegate.acquireInitialToken(request);
  }

  @Override
  public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
    RefreshRetryTokenResponse next = delegate.refreshRetryToken(request);
    Optional<Instant> deadline = CallDeadline.current();
    if (deadline.isPresent() && clock.instant().plus(next.delay()).isAfter(deadline.get())) {
      throw new TokenAcquisitionFailedException(
          "the next attempt, in " + next.delay().toMillis() + " ms, would start after the deadline",
          next.token(),
          request.failure());
    }
    return next;
  }

  @Override
  public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
    return delegate.recordSuccess(request);
  }

  @Override
  public int maxAttempts() {
    return delegate.maxAttempts();
  }

  /** Fully configured already: the client builder must not add its defaults (or rebuild it). */
  @Override
  public boolean useClientDefaults() {
    return false;
  }

  /** A builder would lose the deadline bound; nothing in the SDK asks a configured strategy. */
  @Override
  public Builder<?, ?> toBuilder() {
    throw new UnsupportedOperationException(
        "DeadlineBoundRetryStrategy is built by AwsClients, not through a builder");
  }
}
