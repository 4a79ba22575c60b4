package io.hubspoke.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** What an {@link ItemSource} knows when it fetches one page. */
public record SourceContext(
    String runId, JsonNode config, String cursor, Instant deadline, Clock clock) {
  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
