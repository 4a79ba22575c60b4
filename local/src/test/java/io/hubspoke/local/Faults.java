package io.hubspoke.local;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.local.emulator.LocalEventBus;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Faults a test switches on and off while one local runtime runs, injected through the real seams:
 * the event-source poller, the event bus and an SDK interceptor on the functions' clients.
 */
public final class Faults {
  public static final class InjectedCrash extends RuntimeException {
    InjectedCrash(String message) {
      super(message);
    }
  }

  /** The SDK requires one instance per attribute name for the whole JVM. */
  private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Boolean> lose =
      new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("test.lose");

  public volatile Predicate<SQSEvent> duplicateBatch = e -> false;
  public volatile BiPredicate<String, String> duplicateEvent = (rule, event) -> false;

  /** Applied to each successful AWS request; true makes the caller die right after it. */
  public volatile Predicate<SdkRequest> crashAfter = r -> false;

  /** Applied to each AWS request before it is sent; true fails it as an unavailable service. */
  public volatile Predicate<SdkRequest> failBefore = r -> false;

  /** Applied per request: true makes DynamoDB apply it and the caller see a 500 instead. */
  public volatile Predicate<SdkRequest> loseResponse = r -> false;

  /** Applied per attempt: true answers it with a 429 throttling error, unsent. */
  public volatile Predicate<SdkRequest> throttle = r -> false;

  /**
   * Rewrites each request before it is signed, e.g. to break a mechanism on purpose and show that
   * the invariant checker notices.
   */
  public volatile java.util.function.UnaryOperator<SdkRequest> rewrite = r -> r;

  /** Runs before each attempt is sent, e.g. to delay a write until the test allows it. */
  public volatile java.util.function.Consumer<SdkRequest> beforeSend = r -> {};

  /** Applied per attempt: true answers it with a non-retryable AccessDeniedException, unsent. */
  public volatile Predicate<SdkRequest> deny = r -> false;

  /** Told when each AWS call starts and when it ends, successfully or not (to count in-flight). */
  public volatile java.util.function.Consumer<SdkRequest> callStarted = r -> {};

  public volatile java.util.function.Consumer<SdkRequest> callEnded = r -> {};

  /** Told when an AWS call succeeded, after {@link #callEnded}. */
  public volatile java.util.function.Consumer<SdkRequest> callSucceeded = r -> {};

  /** Told when an AWS call failed for good, with why, after {@link #callEnded}. */
  public volatile java.util.function.BiConsumer<SdkRequest, Throwable> callFailed = (r, e) -> {};

  volatile java.util.function.Function<
          SQSEvent, SqsEventSourcePoller.InvocationInterceptor.Decision>
      pollerDecision = e -> SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE;
  public volatile BiPredicate<String, String> dropEvent = (rule, event) -> false;

  /** What a wrapped spoke invocation does besides calling the real handler. */
  public enum SpokeFault {
    NONE,
    THROW_BEFORE,
    UNKNOWN_ID_AFTER,
    EMPTY_ID_AFTER
  }

  public volatile java.util.function.Function<SQSEvent, SpokeFault> spokeFault =
      e -> SpokeFault.NONE;

  public void clear() {
    duplicateBatch = e -> false;
    duplicateEvent = (rule, event) -> false;
    crashAfter = r -> false;
    failBefore = r -> false;
    loseResponse = r -> false;
    throttle = r -> false;
    rewrite = r -> r;
    beforeSend = r -> {};
    deny = r -> false;
    callStarted = r -> {};
    callEnded = r -> {};
    callSucceeded = r -> {};
    callFailed = (r, e) -> {};
    pollerDecision = e -> SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE;
    dropEvent = (rule, event) -> false;
    spokeFault = e -> SpokeFault.NONE;
  }

  com.amazonaws.services.lambda.runtime.RequestHandler<
          SQSEvent, com.amazonaws.services.lambda.runtime.events.SQSBatchResponse>
      wrapSpoke(
          com.amazonaws.services.lambda.runtime.RequestHandler<
                  SQSEvent, com.amazonaws.services.lambda.runtime.events.SQSBatchResponse>
              spoke) {
    return (event, context) -> {
      SpokeFault fault = spokeFault.apply(event);
      if (fault == SpokeFault.THROW_BEFORE) {
        throw new InjectedCrash("injected: the spoke handler threw");
      }
      var response = spoke.handleRequest(event, context);
      if (fault == SpokeFault.NONE) {
        return response;
      }
      String id = fault == SpokeFault.UNKNOWN_ID_AFTER ? "no-such-message-id" : "";
      return com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.builder()
          .withBatchItemFailures(
              java.util.List.of(
                  com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.BatchItemFailure
                      .builder()
                      .withItemIdentifier(id)
                      .build()))
          .build();
    };
  }

  public SqsEventSourcePoller.InvocationInterceptor poller() {
    return event ->
        duplicateBatch.test(event)
            ? SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE_TWICE
            : pollerDecision.apply(event);
  }

  /** Duplicates each selected event once (the duplicate itself is delivered normally). */
  public LocalEventBus.DeliveryInterceptor bus() {
    java.util.Set<String> duplicated = java.util.concurrent.ConcurrentHashMap.newKeySet();
    return (rule, event, attempt) -> {
      if (dropEvent.test(rule, event)) {
        return LocalEventBus.DeliveryInterceptor.Decision.DROP;
      }
      return attempt == 1 && duplicateEvent.test(rule, event) && duplicated.add(rule + "|" + event)
          ? LocalEventBus.DeliveryInterceptor.Decision.DUPLICATE
          : LocalEventBus.DeliveryInterceptor.Decision.DELIVER;
    };
  }

  public ExecutionInterceptor sdk() {
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        callStarted.accept(context.request());
        if (failBefore.test(context.request())) {
          throw new InjectedCrash(
              "injected: service unavailable for " + context.request().getClass().getSimpleName());
        }
      }

      @Override
      public SdkRequest modifyRequest(
          Context.ModifyRequest context, ExecutionAttributes attributes) {
        return rewrite.apply(context.request());
      }

      @Override
      public void beforeTransmission(
          Context.BeforeTransmission context, ExecutionAttributes attributes) {
        beforeSend.accept(context.request());
        if (deny.test(context.request())) {
          throw software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
              .statusCode(400)
              .message("injected: access denied")
              .awsErrorDetails(
                  software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                      .errorCode("AccessDeniedException")
                      .errorMessage("injected: access denied")
                      .build())
              .build();
        }
        if (throttle.test(context.request())) {
          throw software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
              .statusCode(429)
              .message("injected throttling")
              .awsErrorDetails(
                  software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                      .errorCode("ThrottlingException")
                      .errorMessage("injected throttling")
                      .build())
              .build();
        }
        if (attributes.getAttribute(lose) == null) {
          attributes.putAttribute(lose, loseResponse.test(context.request()));
        }
      }

      @Override
      public software.amazon.awssdk.http.SdkHttpResponse modifyHttpResponse(
          Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(lose))) {
          return context.httpResponse().toBuilder().statusCode(500).build();
        }
        return context.httpResponse();
      }

      @Override
      public java.util.Optional<java.io.InputStream> modifyHttpResponseContent(
          Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(lose))) {
          attributes.putAttribute(lose, false); // only the first attempt's response is lost
          return java.util.Optional.of(
              software.amazon.awssdk.http.AbortableInputStream.create(
                  new java.io.ByteArrayInputStream(
                      "{\"__type\":\"InternalServerError\",\"message\":\"response lost\"}"
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        return context.responseBody();
      }

      @Override
      public void onExecutionFailure(
          Context.FailedExecution context, ExecutionAttributes attributes) {
        callEnded.accept(context.request());
        callFailed.accept(context.request(), context.exception());
      }

      @Override
      public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        callEnded.accept(context.request());
        callSucceeded.accept(context.request());
        if (crashAfter.test(context.request())) {
          throw new InjectedCrash(
              "injected: the caller dies after " + context.request().getClass().getSimpleName());
        }
      }
    };
  }

  /** The claim of task {@code index}, as TaskStore writes it. */
  public static boolean isClaim(SdkRequest r, int index) {
    return r instanceof UpdateItemRequest u
        && u.updateExpression().startsWith("SET #st = :running")
        && u.key().get("sk").s().equals(String.format("T#%08d", index));
  }

  /** An owner's heartbeat on task {@code index}: the write that leaves it RUNNING. */
  public static boolean isHeartbeat(SdkRequest r, String runId, int index) {
    return r instanceof UpdateItemRequest u
        && u.updateExpression().startsWith("SET #st = :to")
        && "RUNNING".equals(u.expressionAttributeValues().get(":to").s())
        && u.key().get("pk").s().startsWith("RUN#" + runId + "#")
        && u.key().get("sk").s().equals(String.format("T#%08d", index));
  }

  public static boolean isClaim(SdkRequest r, String runId, int index) {
    return isClaim(r, index)
        && ((UpdateItemRequest) r).key().get("pk").s().startsWith("RUN#" + runId + "#");
  }

  /** An owner's write that ends its attempt (complete, fail, release …): not a heartbeat. */
  public static boolean isCommit(SdkRequest r, String runId, int index) {
    return r instanceof UpdateItemRequest u
        && u.updateExpression().startsWith("SET #st = :to")
        && !isHeartbeat(r, runId, index)
        && u.key().get("pk").s().startsWith("RUN#" + runId + "#")
        && u.key().get("sk").s().equals(String.format("T#%08d", index));
  }
}
