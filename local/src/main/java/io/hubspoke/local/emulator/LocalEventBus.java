package io.hubspoke.local.emulator;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for one EventBridge event bus. Functions publish with the real {@code
 * EventBridgeClient} pointed here ({@code endpointOverride} / AWS_ENDPOINT_URL_EVENTBRIDGE): the
 * bus speaks the PutEvents wire protocol and validates entries the way EventBridge does (its {@link
 * PutEventsEndpoint}), wraps each accepted entry in the EventBridge envelope and matches it against
 * rules with Event Ruler, the library EventBridge's own matching is published as, so local patterns
 * mean what they mean on AWS (its {@link RuleDelivery}).
 *
 * <p>Matched events are delivered to targets asynchronously and at least once: a failed delivery is
 * retried with exponential backoff up to {@link RetryPolicy#maxAttempts()} and then kept in {@link
 * #deadLetters()}. On AWS an EventBridge rule invokes a Lambda target asynchronously, and the
 * function's errors are retried by Lambda's asynchronous invocation (two retries by default, so
 * three attempts), which is what the default policy mirrors, with shorter waits. The signature of
 * requests is not checked.
 */
public final class LocalEventBus implements AutoCloseable {
  /** EventBridge's limit of entries per PutEvents call. */
  public static final int MAX_ENTRIES = 10;

  /** EventBridge's limit on the summed size of a PutEvents call's entries (256 KiB). */
  public static final int MAX_REQUEST_BYTES = 256 * 1024;

  /** How failed deliveries are retried: attempt n+1 waits initial × multiplier^(n-1), capped. */
  public record RetryPolicy(
      int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
    public RetryPolicy {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      if (initialBackoff.isNegative() || maxBackoff.isNegative() || multiplier < 1.0) {
        throw new IllegalArgumentException("backoff must be non-negative and non-shrinking");
      }
    }

    /** Three attempts (Lambda's asynchronous invocation retries twice), 100 ms doubling to 2 s. */
    public static RetryPolicy defaults() {
      return new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(2));
    }

    /** Wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed. */
    public Duration backoffAfter(int attempt) {
      double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 1);
      return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }
  }

  /** A delivery that exhausted its retries (or was refused by an interceptor as final). */
  public record DeadLetter(String ruleName, String eventJson, int attempts, Throwable lastError) {}

  /**
   * Fault-injection seam: consulted before every delivery attempt. Unused unless set on the
   * builder; the default delivers every attempt.
   */
  @FunctionalInterface
  public interface DeliveryInterceptor {
    Decision beforeAttempt(String ruleName, String eventJson, int attempt);

    enum Decision {
      /** Deliver normally. */
      DELIVER,
      /** Deliver, and deliver a second, independent copy (an at-least-once duplicate). */
      DUPLICATE,
      /** Count this attempt as failed without calling the target: it is retried per policy. */
      FAIL,
      /** Lose the delivery silently (neither delivered nor dead-lettered). */
      DROP
    }

    DeliveryInterceptor NONE = (rule, event, attempt) -> Decision.DELIVER;
  }

  private final String busName;
  private final String busArn;
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final RuleDelivery delivery;
  private final PutEventsEndpoint endpoint;

  private LocalEventBus(Builder b) throws IOException {
    this.busName = Objects.requireNonNull(b.busName, "busName");
    this.busArn =
        "arn:aws:events:"
            + b.region
            + ":"
            + LocalLambdaContext.LOCAL_ACCOUNT_ID
            + ":event-bus/"
            + busName;
    this.delivery =
        new RuleDelivery(busName, b.region, b.retryPolicy, b.interceptor, b.deliveryThreads);
    this.endpoint =
        new PutEventsEndpoint(
            busName,
            busArn,
            b.region,
            b.port,
            event -> {
              published.add(event);
              delivery.route(event);
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a rule: events matching {@code patternJson} (EventBridge pattern syntax) go to {@code
   * target}. Rule names are unique on a bus, as on AWS.
   */
  public void addRule(String name, String patternJson, LocalEventTarget target) {
    delivery.addRule(name, patternJson, target);
  }

  /**
   * Adds a scheduled rule (a rule with a {@code ScheduleExpression} and no pattern) whose target
   * receives the firing's event through {@code transformer}, as the stack's scheduled runs do.
   * Nothing fires it on a clock: {@link #fire} does, when a test or the runtime decides.
   */
  public void addScheduledRule(String name, InputTransformer transformer, LocalEventTarget target) {
    delivery.addScheduledRule(name, transformer, target);
  }

  /**
   * One firing of scheduled rule {@code name} at {@code time}: EventBridge's {@code Scheduled
   * Event} from {@code aws.events}, with the rule's ARN in {@code resources}, goes through the
   * rule's input transformer to its target, with the same at-least-once delivery (interceptor,
   * retries, dead letters) as a matched event. The schedule's events are not put on the bus, as on
   * AWS.
   */
  public void fire(String name, Instant time) {
    delivery.fire(name, time);
  }

  /**
   * The ARN rule {@code name} would have on AWS. Schedule expressions exist only on an account's
   * default bus, so a scheduled rule's ARN names no bus.
   */
  public String ruleArn(String name) {
    return delivery.ruleArn(name);
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride} or the endpoint variable. */
  public URI endpoint() {
    return endpoint.endpoint();
  }

  public String busName() {
    return busName;
  }

  public String busArn() {
    return busArn;
  }

  /** Every accepted event's envelope, in acceptance order, matched or not. */
  public List<String> publishedEvents() {
    return List.copyOf(published);
  }

  public List<DeadLetter> deadLetters() {
    return delivery.deadLetters();
  }

  /** Deliveries that reached a target and returned normally (duplicates included). */
  public long deliveredCount() {
    return delivery.deliveredCount();
  }

  /**
   * Waits until no delivery is pending, in flight or waiting for a retry.
   *
   * @return true if the bus became idle within {@code timeout}
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return delivery.awaitIdle(timeout);
  }

  @Override
  public void close() {
    endpoint.close();
    delivery.close();
  }

  public static final class Builder {
    private String busName;
    private String region = "us-east-1";
    private int port;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private DeliveryInterceptor interceptor = DeliveryInterceptor.NONE;
    private int deliveryThreads = 4;

    private Builder() {}

    /** The bus name functions put to (HUBSPOKE_EVENT_BUS_NAME); entries may also omit it. */
    public Builder busName(String busName) {
      this.busName = busName;
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region);
      return this;
    }

    /** 0 (the default) binds an ephemeral port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy);
      return this;
    }

    public Builder interceptor(DeliveryInterceptor interceptor) {
      this.interceptor = Objects.requireNonNull(interceptor);
      return this;
    }

    /** Threads running target deliveries (and so, locally, collector invocations) at once. */
    public Builder deliveryThreads(int deliveryThreads) {
      if (deliveryThreads < 1) {
        throw new IllegalArgumentException("deliveryThreads must be at least 1");
      }
      this.deliveryThreads = deliveryThreads;
      return this;
    }

    public LocalEventBus start() {
      try {
        return new LocalEventBus(this);
      } catch (IOException e) {
        throw new IllegalStateException("local event bus could not bind its port", e);
      }
    }
  }
}
