package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.constructs.Construct;

/**
 * The hub: accepts runs (durably, as chunk records, before it answers), serves the HTTP API, and in
 * the background turns each chunk into tasks and their messages. Invoked through the HTTP API, by
 * scheduled rules, directly, and by its dispatch queue.
 */
public class HubFunction extends Construct {
  public static final String HANDLER = "io.hubspoke.hub.HubHandler::handleRequest";

  /** DynamoDB actions of the hub, on the table and its runs index. */
  public static final List<String> TABLE_ACTIONS =
      List.of(
          "dynamodb:PutItem",
          "dynamodb:GetItem",
          "dynamodb:UpdateItem",
          "dynamodb:BatchWriteItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query");

  /** Chunks (of up to 50 tasks) per hub invocation from the dispatch queue. */
  public static final int DISPATCH_BATCH_SIZE = 5;

  /** Hub invocations dispatching at once: 10 write 50 tasks each in well under a second. */
  public static final int DISPATCH_MAX_CONCURRENCY = 10;

  private final JavaFunction function;

  public HubFunction(Construct scope, String id, FunctionProps props) {
    super(scope, id);
    this.function =
        new JavaFunction(
            this,
            "Hub",
            props
                .javaFunction(
                    "hubspoke hub: creates runs and tasks, fans out to the spokes", HANDLER)
                .asyncDeadLetterQueue(props.getEventBus().getDeliveryDeadLetterQueue())
                .build());
    FunctionProps.allow(
        function.getRole(),
        TABLE_ACTIONS,
        // The claimable index: pull workers' claims (POST /runs/{runId}/claims) query it.
        List.of(
            props.getTable().getTable().getTableArn(),
            props.getTable().getRunsIndexArn(),
            props.getTable().getClaimableIndexArn()));
    FunctionProps.allow(
        function.getRole(),
        List.of("sqs:SendMessage"),
        List.of(
            props.getWorkQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getDeadLetterQueue().getQueueArn()));
    // The hub's background half: one chunk of a submitted run per message, a few at a time.
    function
        .getAlias()
        .addEventSource(
            SqsEventSource.Builder.create(props.getDispatchQueue().getQueue())
                .batchSize(DISPATCH_BATCH_SIZE)
                .reportBatchItemFailures(true)
                .maxConcurrency(DISPATCH_MAX_CONCURRENCY)
                .build());
    NagSuppressions.addResourceSuppressions(
        function.getAlias(),
        List.of(
            NagPackSuppression.builder()
                .id("Serverless-LambdaEventSourceMappingDestination")
                .reason(
                    "SQS event source mappings take no on-failure destination: dispatch messages"
                        + " that keep failing move to the dispatch queue's DLQ through its redrive"
                        + " policy, and the sweep resumes or fails their run.")
                .build()),
        true);
    FunctionProps.allow(
        function.getRole(),
        List.of("events:PutEvents"),
        List.of(props.getEventBus().getBus().getEventBusArn()));
  }

  public JavaFunction getFunction() {
    return function;
  }

  public Alias getAlias() {
    return function.getAlias();
  }
}
