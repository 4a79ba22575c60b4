package io.hubspoke.infra.constructs;

import java.util.List;
import software.amazon.awscdk.services.lambda.Alias;
import software.constructs.Construct;

/**
 * The collector: summarizes a run when its {@code RunDrained} event arrives, and on its periodic
 * sweep re-enqueues stalled tasks and finishes runs whose event was lost.
 */
public class CollectorFunction extends Construct {
  public static final String HANDLER = "io.hubspoke.collector.CollectorHandler::handleRequest";

  /** DynamoDB actions of the collector, on the table and its open-runs index (the sweep's). */
  public static final List<String> TABLE_ACTIONS =
      List.of("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem");

  private final JavaFunction function;

  public CollectorFunction(Construct scope, String id, FunctionProps props) {
    super(scope, id);
    this.function =
        new JavaFunction(
            this,
            "Collector",
            props
                .javaFunction(
                    "hubspoke collector: summarizes drained runs, sweeps stalled tasks", HANDLER)
                .asyncDeadLetterQueue(props.getEventBus().getDeliveryDeadLetterQueue())
                .build());
    FunctionProps.allow(
        function.getRole(),
        TABLE_ACTIONS,
        List.of(props.getTable().getTable().getTableArn(), props.getTable().getOpenRunsIndexArn()));
    FunctionProps.allow(
        function.getRole(),
        List.of("sqs:SendMessage"),
        List.of(
            props.getWorkQueue().getQueue().getQueueArn(),
            props.getDispatchQueue().getQueue().getQueueArn()));
    // The sweep reads the work queue's backlog before it sends a task again.
    FunctionProps.allow(
        function.getRole(),
        List.of("sqs:GetQueueAttributes"),
        List.of(props.getWorkQueue().getQueue().getQueueArn()));
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
