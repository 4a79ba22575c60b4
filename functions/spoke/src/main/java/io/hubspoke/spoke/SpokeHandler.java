package io.hubspoke.spoke;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.service.MessageOutcome;
import io.hubspoke.core.service.TaskExecutionService;
import io.hubspoke.core.worker.WorkerRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The spoke Lambda, triggered by the work queue with {@code ReportBatchItemFailures}: processes the
 * batch's messages in parallel and reports only those that could not be handled, so SQS deletes the
 * rest.
 */
public final class SpokeHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
  private final TaskExecutionService execution;
  private final Clock clock;

  public SpokeHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public SpokeHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public SpokeHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.discovered());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public SpokeHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(Hubspoke.create(env, clients, clock, workers).execution(), clock);
  }

  SpokeHandler(TaskExecutionService execution, Clock clock) {
    this.execution = execution;
    this.clock = clock;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    Instant deadline = clock.instant().plusMillis(context.getRemainingTimeInMillis());
    List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
    List<TaskExecutionService.Message> messages = new ArrayList<>(records.size());
    for (SQSEvent.SQSMessage record : records) {
      messages.add(
          new TaskExecutionService.Message(
              record.getMessageId(), record.getBody(), record.getReceiptHandle()));
    }
    List<MessageOutcome> outcomes = execution.processBatch(messages, deadline);
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      if (outcomes.get(i) == MessageOutcome.RETRY) {
        failures.add(
            SQSBatchResponse.BatchItemFailure.builder()
                .withItemIdentifier(messages.get(i).id())
                .build());
      }
    }
    return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
  }
}
