package io.hubspoke.infra.constructs;

import java.util.List;
import software.amazon.awscdk.services.lambda.Alias;
import software.constructs.Construct;

/**
 * The hub: creates runs and their tasks, enqueues one message per task, publishes run events and
 * serves the HTTP API. Invoked through the HTTP API, by scheduled rules and directly.
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
        List.of(props.getTable().getTable().getTableArn(), props.getTable().getRunsIndexArn()));
    FunctionProps.allow(
        function.getRole(),
        List.of("sqs:SendMessage"),
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
