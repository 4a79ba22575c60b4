package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimedInvocationTest {
  private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
  private TimedInvocation invocation;

  @AfterEach
  void close() {
    if (invocation != null) {
      invocation.close();
    }
  }

  private TimedInvocation start(Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> environments) {
    SqsEventSourceConfig config =
        SqsEventSourceConfig.builder()
            .queue("http://127.0.0.1/000000000000/q", "arn:aws:sqs:us-east-1:000000000000:q")
            .functionName("spoke")
            .functionTimeout(Duration.ofSeconds(1))
            .logSink(log::add)
            .build();
    invocation = new TimedInvocation(config, environments);
    return invocation;
  }

  private static SQSEvent event() {
    SQSEvent event = new SQSEvent();
    event.setRecords(List.of());
    return event;
  }

  @Test
  void returnsTheResponseWithTheContextCountingDownFromTheTimeout() {
    SQSBatchResponse response = new SQSBatchResponse(List.of());
    AtomicInteger remaining = new AtomicInteger();
    TimedInvocation.Result result =
        start(
                () ->
                    (event, context) -> {
                      assertEquals("spoke", context.getFunctionName());
                      remaining.set(context.getRemainingTimeInMillis());
                      return response;
                    })
            .invoke(event());
    assertSame(response, result.response());
    assertNull(result.failure());
    assertFalse(result.timedOut());
    assertTrue(remaining.get() > 0 && remaining.get() <= 1000, "remaining " + remaining);
    assertTrue(result.billedMillis() >= 1, "billed at least a millisecond");
  }

  @Test
  void aHandlerOverrunningTheTimeoutIsInterruptedAndTimesOut() {
    TimedInvocation.Result result =
        start(
                () ->
                    (event, context) -> {
                      try {
                        new CountDownLatch(1).await(); // until the watchdog interrupts it
                      } catch (InterruptedException e) {
                        throw new IllegalStateException("interrupted at the deadline", e);
                      }
                      return null;
                    })
            .invoke(event());
    assertTrue(result.timedOut());
    assertEquals("Task timed out after 1.0 seconds", result.failure());
    assertNull(result.response());
    // Billed for the time it ran: about the timeout, counted from a moment after the alarm is set.
    assertTrue(result.billedMillis() >= 500, "billed " + result.billedMillis());
    assertFalse(Thread.currentThread().isInterrupted(), "the interrupt does not leak");
    assertEquals(List.of(), List.copyOf(log), "a timeout is not logged as a function error");
  }

  @Test
  void anExceptionIsAFunctionErrorAndIsLogged() {
    TimedInvocation.Result result =
        start(
                () ->
                    (event, context) -> {
                      throw new IllegalStateException("spoke crashed");
                    })
            .invoke(event());
    assertFalse(result.timedOut());
    assertEquals(
        "function error: java.lang.IllegalStateException: spoke crashed", result.failure());
    assertTrue(
        log.stream()
            .anyMatch(
                l ->
                    l.equals(
                        "[spoke] invocation failed: "
                            + "java.lang.IllegalStateException: spoke crashed")));
  }

  @Test
  void anIdleEnvironmentIsReusedRatherThanAnotherMade() {
    AtomicInteger made = new AtomicInteger();
    TimedInvocation timed =
        start(
            () -> {
              made.incrementAndGet();
              return (event, context) -> null;
            });
    for (int i = 0; i < 3; i++) {
      assertNull(timed.invoke(event()).failure());
    }
    assertEquals(1, made.get(), "one environment, warm after the first invocation");
  }
}
