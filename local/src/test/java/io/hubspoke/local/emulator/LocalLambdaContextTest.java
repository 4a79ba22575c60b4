package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalLambdaContextTest {
  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void remainingTimeCountsDownFromTheTimeoutAndStopsAtZero() {
    ManualClock clock = new ManualClock();
    var context =
        LocalLambdaContext.builder()
            .functionName("spoke")
            .timeout(Duration.ofSeconds(30))
            .clock(clock)
            .logSink(line -> {})
            .build();
    assertEquals(30_000, context.getRemainingTimeInMillis());
    clock.advance(Duration.ofMillis(29_250));
    assertEquals(750, context.getRemainingTimeInMillis());
    clock.advance(Duration.ofSeconds(5));
    assertEquals(0, context.getRemainingTimeInMillis());
  }

  @Test
  void namesAndLogger() {
    List<String> lines = new ArrayList<>();
    var context =
        LocalLambdaContext.builder()
            .functionName("collector")
            .memoryLimitInMb(1024)
            .region("eu-west-1")
            .logSink(lines::add)
            .build();
    var other = LocalLambdaContext.builder().functionName("collector").build();
    assertNotEquals(context.getAwsRequestId(), other.getAwsRequestId());
    assertEquals("collector", context.getFunctionName());
    assertEquals("$LATEST", context.getFunctionVersion());
    assertEquals(1024, context.getMemoryLimitInMB());
    assertEquals("/aws/lambda/collector", context.getLogGroupName());
    assertEquals(
        "arn:aws:lambda:eu-west-1:000000000000:function:collector",
        context.getInvokedFunctionArn());
    context.getLogger().log("text");
    context.getLogger().log("bytes".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("text", "bytes"), lines);
  }
}
