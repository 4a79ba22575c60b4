package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.local.emulator.LocalEventBus.DeadLetter;
import io.hubspoke.local.emulator.LocalEventBus.DeliveryInterceptor;
import io.hubspoke.local.emulator.LocalEventBus.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.event.ruler.Machine;

/**
 * The rules of a {@link LocalEventBus} and the delivery of what they match: patterns matched with
 * Event Ruler, scheduled rules fired through their {@link InputTransformer}, and each delivery made
 * asynchronously and at least once, retried per the {@link RetryPolicy} and then dead-lettered,
 * with the {@link DeliveryInterceptor} consulted before every attempt.
 */
final class RuleDelivery implements AutoCloseable {
  private record Rule(String name, LocalEventTarget target, InputTransformer transformer) {
    /** What the target receives for {@code event}: the event itself, or its transformation. */
    String input(String event, String ruleArn) {
      return transformer == null ? event : transformer.render(event, name, ruleArn);
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final String busName;
  private final String region;
  private final RetryPolicy retryPolicy;
  private final DeliveryInterceptor interceptor;
  private final Machine machine = new Machine();
  private final Map<String, Rule> rules = new ConcurrentHashMap<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final AtomicLong delivered = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private long pending; // deliveries scheduled, in flight or waiting for a retry; guarded by lock
  private final ScheduledExecutorService deliveryThreads;

  RuleDelivery(
      String busName,
      String region,
      RetryPolicy retryPolicy,
      DeliveryInterceptor interceptor,
      int deliveryThreads) {
    this.busName = busName;
    this.region = region;
    this.retryPolicy = retryPolicy;
    this.interceptor = interceptor;
    warmUp();
    this.deliveryThreads =
        Executors.newScheduledThreadPool(deliveryThreads, new DaemonThreads("event-bus-delivery"));
  }

  /** Event Ruler's first match costs ~400 ms (class loading, parser set-up): pay it at start. */
  private static void warmUp() {
    try {
      Machine warm = new Machine();
      warm.addRule(
          "warm-up", "{\"source\":[\"warm\"],\"detail\":{\"n\":[{\"numeric\":[\">\",0]}]}}");
      warm.rulesForJSONEvent("{\"source\":\"warm\",\"detail\":{\"n\":1}}");
    } catch (Exception e) {
      throw new IllegalStateException("Event Ruler failed its warm-up", e);
    }
  }

  /** See {@link LocalEventBus#addRule}. */
  void addRule(String name, String patternJson, LocalEventTarget target) {
    Objects.requireNonNull(target, "target");
    if (rules.putIfAbsent(name, new Rule(name, target, null)) != null) {
      throw new IllegalArgumentException("rule " + name + " already exists on bus " + busName);
    }
    try {
      machine.addRule(name, patternJson);
    } catch (Exception e) {
      rules.remove(name);
      throw new IllegalArgumentException("invalid event pattern for rule " + name, e);
    }
  }

  /** See {@link LocalEventBus#addScheduledRule}. */
  void addScheduledRule(String name, InputTransformer transformer, LocalEventTarget target) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(transformer, "transformer");
    if (rules.putIfAbsent(name, new Rule(name, target, transformer)) != null) {
      throw new IllegalArgumentException("rule " + name + " already exists on bus " + busName);
    }
  }

  /** See {@link LocalEventBus#fire}. */
  void fire(String name, Instant time) {
    Rule rule = rules.get(name);
    if (rule == null || rule.transformer() == null) {
      throw new IllegalArgumentException("no scheduled rule " + name + " on bus " + busName);
    }
    ObjectNode event = json.createObjectNode();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "Scheduled Event");
    event.put("source", "aws.events");
    event.put("account", LocalLambdaContext.LOCAL_ACCOUNT_ID);
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS)));
    event.put("region", region);
    event.putArray("resources").add(ruleArn(name));
    event.putObject("detail");
    try {
      schedule(rule, json.writeValueAsString(event), 1, Duration.ZERO, true);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** See {@link LocalEventBus#ruleArn}. */
  String ruleArn(String name) {
    Rule rule = rules.get(name);
    boolean scheduled = rule != null && rule.transformer() != null;
    return "arn:aws:events:"
        + region
        + ":"
        + LocalLambdaContext.LOCAL_ACCOUNT_ID
        + ":rule/"
        + (scheduled ? "" : busName + "/")
        + name;
  }

  List<DeadLetter> deadLetters() {
    return List.copyOf(deadLetters);
  }

  long deliveredCount() {
    return delivered.get();
  }

  /** See {@link LocalEventBus#awaitIdle}. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (pending > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Delivers {@code event}, an accepted event's envelope, to every rule it matches. */
  void route(String event) {
    List<String> matched;
    try {
      matched = machine.rulesForJSONEvent(event);
    } catch (Exception e) {
      throw new IllegalStateException("Event Ruler could not match an event it was given", e);
    }
    for (String ruleName : matched) {
      Rule rule = rules.get(ruleName);
      if (rule != null) {
        schedule(rule, event, 1, Duration.ZERO, true);
      }
    }
  }

  // ---- delivery ------------------------------------------------------------------------------

  private void schedule(Rule rule, String event, int attempt, Duration delay, boolean isNew) {
    if (isNew) {
      changePending(+1);
    }
    try {
      deliveryThreads.schedule(
          () -> attempt(rule, event, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejected) {
      changePending(-1); // the bus is closing
    }
  }

  private void attempt(Rule rule, String event, int attempt) {
    Throwable failure;
    try {
      switch (interceptor.beforeAttempt(rule.name(), event, attempt)) {
        case DROP -> {
          changePending(-1);
          return;
        }
        case FAIL -> throw new IllegalStateException("delivery failed by interceptor");
        case DUPLICATE -> schedule(rule, event, 1, Duration.ZERO, true);
        case DELIVER -> {}
      }
      rule.target().deliver(rule.input(event, ruleArn(rule.name())));
      delivered.incrementAndGet();
      changePending(-1);
      return;
    } catch (Throwable t) {
      failure = t;
    }
    if (attempt >= retryPolicy.maxAttempts()) {
      deadLetters.add(new DeadLetter(rule.name(), event, attempt, failure));
      changePending(-1);
    } else {
      schedule(rule, event, attempt + 1, retryPolicy.backoffAfter(attempt), false);
    }
  }

  private void changePending(int delta) {
    lock.lock();
    try {
      pending += delta;
      if (pending == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    deliveryThreads.shutdownNow();
  }
}
