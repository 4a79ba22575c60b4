package io.hubspoke.spoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.config.HubspokeEnvironment;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.MessageOutcome;
import io.hubspoke.core.service.TaskExecutionService;
import io.hubspoke.core.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The spoke Lambda, triggered by the work queue with {@code ReportBatchItemFailures}: processes the
 * batch's messages in parallel and reports only those that could not be handled, so SQS deletes the
 * rest.
 */
public final class SpokeHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
  private static final Logger LOG = Logger.getLogger(SpokeHandler.class.getName());

  private final TaskExecutionService execution;
  private final ExecutorService pool;
  private final Clock clock;

  public SpokeHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public SpokeHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public SpokeHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.builtIn());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public SpokeHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers), clock);
  }

  private SpokeHandler(Hubspoke hubspoke, Clock clock) {
    this(hubspoke.execution(), hubspoke.pool(), clock);
  }

  SpokeHandler(TaskExecutionService execution, ExecutorService pool, Clock clock) {
    this.execution = execution;
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    Instant deadline = clock.instant().plusMillis(context.getRemainingTimeInMillis());
    List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
    List<Future<MessageOutcome>> outcomes = new ArrayList<>(records.size());
    for (SQSEvent.SQSMessage record : records) {
      outcomes.add(
          pool.submit(() -> execution.process(record.getMessageId(), record.getBody(), deadline)));
    }
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String messageId = records.get(i).getMessageId();
      if (outcome(outcomes.get(i), messageId) == MessageOutcome.RETRY) {
        failures.add(
            SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(messageId).build());
      }
    }
    return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
  }

  private static MessageOutcome outcome(Future<MessageOutcome> future, String messageId) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      // e.g. the table was unreachable after the SDK's retries: SQS redelivers this message.
      LOG.log(
          Level.WARNING, "message " + messageId + " failed; it will be redelivered", e.getCause());
      return MessageOutcome.RETRY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return MessageOutcome.RETRY;
    }
  }
}
