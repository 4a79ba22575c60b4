/**
 * The local runtime's engines and Lambda emulation: real AWS-compatible engines in this JVM, and
 * the pieces of Lambda, API Gateway and EventBridge that drive the unchanged handler classes.
 *
 * <ul>
 *   <li>{@link io.hubspoke.engines.DynamoDbLocalEngine} + {@link io.hubspoke.engines.LocalTables}:
 *       DynamoDB Local in memory and the hubspoke table.
 *   <li>{@link io.hubspoke.engines.ElasticMqEngine}: SQS, with the work queue and its DLQ.
 *   <li>{@link io.hubspoke.local.emulator.LocalEventBus}: a PutEvents endpoint ({@code
 *       PutEventsEndpoint}) routing with Event Ruler to {@link
 *       io.hubspoke.local.emulator.LocalEventTarget}s ({@code RuleDelivery}, with {@link
 *       io.hubspoke.local.emulator.InputTransformer} for scheduled rules).
 *   <li>{@link io.hubspoke.local.emulator.SqsEventSourcePoller}: Lambda's SQS event source mapping,
 *       configured by {@link io.hubspoke.local.emulator.SqsEventSourceConfig}; the poll/settle loop
 *       around {@code SqsEventMapping} (messages to the event, the response to what is deleted) and
 *       {@code TimedInvocation} (the function timeout, billed time).
 *   <li>{@link io.hubspoke.local.emulator.LocalHttpApi}: an HTTP API with a payload 2.0
 *       integration; the server around {@code PayloadFormatV2} and {@code HttpApiRoutes}.
 *   <li>{@link io.hubspoke.local.emulator.LocalLambdaContext}: the Context handlers receive.
 *   <li>{@link io.hubspoke.local.emulator.LocalLambdaEndpoint}: Lambda's Invoke API, hosting the
 *       {@link io.hubspoke.local.emulator.LocalFunction}s the {@code lambda} worker invokes: a
 *       command in any language ({@code CommandFunctionCode}) or a Java handler from a jar ({@code
 *       JavaHandlerFunctionCode}).
 * </ul>
 *
 * <p>Wiring, in outline: start the three engines; create an SDK client per service with {@code
 * endpointOverride(engine.endpoint())} (and give the functions the same endpoints through {@code
 * AWS_ENDPOINT_URL_DYNAMODB}, {@code _SQS}, {@code _EVENTBRIDGE}, {@code _LAMBDA}); {@code
 * LocalTables.create}; {@code ElasticMqEngine.createWorkQueues}; {@code
 * bus.addRule(EventRules.RUN_DRAINED_RULE, EventRules.RUN_DRAINED_PATTERN, collectorInvoker)};
 * {@code SqsEventSourcePoller.start(sqs, SqsEventSourceConfig.builder().queue(queues)...,
 * spokeHandler)}; {@code LocalHttpApi.builder().route("POST /runs").route("GET
 * /runs/{runId}").handler(hubHandler).start()}. Close in reverse order; DynamoDB Local's threads
 * are not daemons, so it must be closed.
 */
package io.hubspoke.local.emulator;
