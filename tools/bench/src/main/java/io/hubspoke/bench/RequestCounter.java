package io.hubspoke.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Counts every AWS request the clients it is attached to make, by service and operation (and how
 * many polls came back empty: receives without a message, queries without an item), with what each
 * one bills: DynamoDB consumed capacity (it asks for {@code ReturnConsumedCapacity TOTAL} on every
 * DynamoDB request, which changes nothing else), SQS requests in 64 KB chunks, EventBridge entries.
 * HTTP attempts (SDK retries included) are counted separately from calls.
 */
public final class RequestCounter implements ExecutionInterceptor {
  static final int SQS_CHUNK_BYTES = 64 * 1024;

  /** What one service operation cost so far. */
  public record Tally(
      long calls,
      long attempts,
      long failed,
      double readUnits,
      double writeUnits,
      long billedRequests,
      long entries,
      long nanos,
      long empty) {
    /** Mean wall time of one call, SDK retries included. */
    public double meanMillis() {
      return calls == 0 ? 0 : nanos / 1e6 / calls;
    }
  }

  private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("benchStarted");
  private static final ExecutionAttribute<Boolean> ENDED = new ExecutionAttribute<>("benchEnded");

  /** Calls started and not yet finished, and the most there were at once since the last reset. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  private final java.util.concurrent.atomic.AtomicInteger peakInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final class Counter {
    final LongAdder calls = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder failed = new LongAdder();
    final DoubleAdder readUnits = new DoubleAdder();
    final DoubleAdder writeUnits = new DoubleAdder();
    final LongAdder billed = new LongAdder();
    final LongAdder entries = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final LongAdder empty = new LongAdder();
  }

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  private Counter counter(ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    return counters.computeIfAbsent(service + "." + operation, k -> new Counter());
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    attributes.putAttribute(STARTED, System.nanoTime());
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
  }

  /** Ends a call begun in {@link #beforeExecution}, once, whichever way it ended. */
  private void finished(ExecutionAttributes attributes) {
    // Both hooks run when an interceptor after this one fails in afterExecution.
    if (attributes.getAttribute(STARTED) != null && attributes.getAttribute(ENDED) == null) {
      attributes.putAttribute(ENDED, true);
      inFlight.decrementAndGet();
    }
  }

  /** The most calls that were under way at once since the last {@link #reset}. */
  public int peakInFlight() {
    return peakInFlight.get();
  }

  private static long elapsed(ExecutionAttributes attributes) {
    Long started = attributes.getAttribute(STARTED);
    return started == null ? 0 : System.nanoTime() - started;
  }

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    SdkRequest r = context.request();
    ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
    if (r instanceof PutItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof UpdateItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof DeleteItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof GetItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof BatchWriteItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof BatchGetItemRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof QueryRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof ScanRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    } else if (r instanceof TransactWriteItemsRequest q) {
      return q.toBuilder().returnConsumedCapacity(total).build();
    }
    return r;
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    Counter c = counter(attributes);
    c.attempts.increment();
    c.billed.add(billedRequests(context.request()));
    c.entries.add(entries(context.request()));
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    finished(attributes);
    Counter c = counter(attributes);
    c.calls.increment();
    c.nanos.add(elapsed(attributes));
    SdkResponse response = context.response();
    if (cameBackEmpty(response)) {
      c.empty.increment();
    }
    boolean write = isWrite(context.request());
    for (ConsumedCapacity capacity : consumed(response)) {
      double units = capacity.capacityUnits() == null ? 0 : capacity.capacityUnits();
      if (write) {
        c.writeUnits.add(units);
      } else {
        c.readUnits.add(units);
      }
    }
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    finished(attributes);
    Counter c = counter(attributes);
    c.calls.increment();
    c.nanos.add(elapsed(attributes));
    c.failed.increment();
    // A failed condition still consumes capacity on AWS, but the error carries no
    // ConsumedCapacity: count one unit (items under 1 KB), as DynamoDB would bill it.
    if (isWrite(context.request())) {
      c.writeUnits.add(1);
    }
  }

  /** A poll that found nothing: a receive with no message, a query with no item. */
  private static boolean cameBackEmpty(SdkResponse r) {
    if (r instanceof software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse m) {
      return !m.hasMessages() || m.messages().isEmpty();
    }
    if (r instanceof QueryResponse q) {
      return q.count() != null && q.count() == 0;
    }
    return false;
  }

  private static boolean isWrite(SdkRequest r) {
    return r instanceof PutItemRequest
        || r instanceof UpdateItemRequest
        || r instanceof DeleteItemRequest
        || r instanceof BatchWriteItemRequest
        || r instanceof TransactWriteItemsRequest;
  }

  private static Iterable<ConsumedCapacity> consumed(SdkResponse r) {
    ConsumedCapacity one = null;
    if (r instanceof PutItemResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof UpdateItemResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof DeleteItemResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof GetItemResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof QueryResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof ScanResponse p) {
      one = p.consumedCapacity();
    } else if (r instanceof BatchWriteItemResponse p) {
      return p.consumedCapacity();
    } else if (r instanceof BatchGetItemResponse p) {
      return p.consumedCapacity();
    } else if (r instanceof TransactWriteItemsResponse p) {
      return p.consumedCapacity();
    }
    return one == null ? java.util.List.of() : java.util.List.of(one);
  }

  /** SQS bills each 64 KB chunk of a request's payload as one request. */
  static long billedRequests(SdkRequest r) {
    long bytes = 0;
    if (r instanceof SendMessageBatchRequest b) {
      for (SendMessageBatchRequestEntry e : b.entries()) {
        bytes += e.messageBody().length();
      }
    } else if (r instanceof SendMessageRequest s) {
      bytes = s.messageBody().length();
    }
    return Math.max(1, (bytes + SQS_CHUNK_BYTES - 1) / SQS_CHUNK_BYTES);
  }

  private static long entries(SdkRequest r) {
    if (r instanceof PutEventsRequest p) {
      return p.entries().size();
    }
    if (r instanceof SendMessageBatchRequest b) {
      return b.entries().size();
    }
    if (r instanceof BatchWriteItemRequest w) {
      return w.requestItems().values().stream().mapToLong(java.util.List::size).sum();
    }
    return 1;
  }

  /** By {@code Service.Operation}, sorted. */
  public Map<String, Tally> snapshot() {
    Map<String, Tally> out = new TreeMap<>();
    counters.forEach(
        (k, c) ->
            out.put(
                k,
                new Tally(
                    c.calls.sum(),
                    c.attempts.sum(),
                    c.failed.sum(),
                    c.readUnits.sum(),
                    c.writeUnits.sum(),
                    c.billed.sum(),
                    c.entries.sum(),
                    c.nanos.sum(),
                    c.empty.sum())));
    return out;
  }

  public void reset() {
    counters.clear();
    peakInFlight.set(inFlight.get());
  }

  public static long totalCalls(Map<String, Tally> snapshot) {
    return snapshot.values().stream().mapToLong(Tally::calls).sum();
  }
}
