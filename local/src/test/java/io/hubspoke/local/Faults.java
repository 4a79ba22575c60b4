package io.hubspoke.local;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.local.engine.LocalEventBus;
import io.hubspoke.local.engine.SqsEventSourcePoller;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Faults a test switches on and off while one local runtime runs, injected through the real seams:
 * the event-source poller, the event bus and an SDK interceptor on the functions' clients.
 */
final class Faults {
  static final class InjectedCrash extends RuntimeException {
    InjectedCrash(String message) {
      super(message);
    }
  }

  volatile Predicate<SQSEvent> duplicateBatch = e -> false;
  volatile BiPredicate<String, String> duplicateEvent = (rule, event) -> false;

  /** Applied to each successful AWS request; true makes the caller die right after it. */
  volatile Predicate<SdkRequest> crashAfter = r -> false;

  /** Applied to each AWS request before it is sent; true fails it as an unavailable service. */
  volatile Predicate<SdkRequest> failBefore = r -> false;

  void clear() {
    duplicateBatch = e -> false;
    duplicateEvent = (rule, event) -> false;
    crashAfter = r -> false;
    failBefore = r -> false;
  }

  SqsEventSourcePoller.InvocationInterceptor poller() {
    return event ->
        duplicateBatch.test(event)
            ? SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE_TWICE
            : SqsEventSourcePoller.InvocationInterceptor.Decision.INVOKE;
  }

  /** Duplicates each selected event once (the duplicate itself is delivered normally). */
  LocalEventBus.DeliveryInterceptor bus() {
    java.util.Set<String> duplicated = java.util.concurrent.ConcurrentHashMap.newKeySet();
    return (rule, event, attempt) ->
        attempt == 1 && duplicateEvent.test(rule, event) && duplicated.add(rule + "|" + event)
            ? LocalEventBus.DeliveryInterceptor.Decision.DUPLICATE
            : LocalEventBus.DeliveryInterceptor.Decision.DELIVER;
  }

  ExecutionInterceptor sdk() {
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (failBefore.test(context.request())) {
          throw new InjectedCrash(
              "injected: service unavailable for " + context.request().getClass().getSimpleName());
        }
      }

      @Override
      public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (crashAfter.test(context.request())) {
          throw new InjectedCrash(
              "injected: the caller dies after " + context.request().getClass().getSimpleName());
        }
      }
    };
  }
}
