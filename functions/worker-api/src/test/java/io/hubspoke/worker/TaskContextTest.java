package io.hubspoke.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskContextTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void aContextBuiltAsTheRecordWasHasAFixedDeadlineAndHeartbeatsThatHold() {
    TaskContext context =
        new TaskContext(
            "r",
            "r/000001",
            1,
            1,
            3,
            JsonNodeFactory.instance.textNode("item"),
            JsonNodeFactory.instance.objectNode(),
            NOW.plusSeconds(5),
            CLOCK);
    assertEquals(NOW.plusSeconds(5), context.deadline());
    assertEquals(Duration.ofSeconds(5), context.remaining());
    assertTrue(context.heartbeat());
    assertEquals(NOW.plusSeconds(5), context.deadline(), "a fixed lease never moves");
  }

  @Test
  void theDeadlineAndTheHeartbeatAreTheLeases() {
    AtomicReference<Instant> deadline = new AtomicReference<>(NOW.minusSeconds(1));
    AtomicInteger beats = new AtomicInteger();
    TaskLease lease =
        new TaskLease() {
          @Override
          public Instant deadline() {
            return deadline.get();
          }

          @Override
          public boolean heartbeat() {
            deadline.set(NOW.plusSeconds(30));
            return beats.incrementAndGet() < 2;
          }
        };
    TaskContext context =
        new TaskContext(
            "r", "r/000001", 1, 2, 3, null, JsonNodeFactory.instance.objectNode(), lease, CLOCK);
    assertEquals(Duration.ZERO, context.remaining(), "a past deadline leaves nothing");
    assertTrue(context.heartbeat());
    assertEquals(NOW.plusSeconds(30), context.deadline());
    assertEquals(Duration.ofSeconds(30), context.remaining());
    assertFalse(context.heartbeat(), "a lost lease is reported");
  }
}
