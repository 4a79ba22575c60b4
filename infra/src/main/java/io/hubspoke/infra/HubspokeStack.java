package io.hubspoke.infra;

import io.hubspoke.contract.EventRules;
import io.hubspoke.contract.workers.WorkerFunctions;
import io.hubspoke.infra.constructs.CollectorFunction;
import io.hubspoke.infra.constructs.EventRoutes;
import io.hubspoke.infra.constructs.FunctionProps;
import io.hubspoke.infra.constructs.HubFunction;
import io.hubspoke.infra.constructs.HubHttpApi;
import io.hubspoke.infra.constructs.HubspokeEventBus;
import io.hubspoke.infra.constructs.HubspokeTable;
import io.hubspoke.infra.constructs.Monitoring;
import io.hubspoke.infra.constructs.PluginWorkers;
import io.hubspoke.infra.constructs.ScheduledRuns;
import io.hubspoke.infra.constructs.SpokeFunction;
import io.hubspoke.infra.constructs.SpokePush;
import io.hubspoke.infra.constructs.WorkQueue;
import io.hubspoke.infra.constructs.WorkerFunctionGrants;
import io.hubspoke.infra.constructs.WorkerLayer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.ILayerVersion;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The whole hubspoke system in one environment-agnostic stack: it looks nothing up, so it
 * synthesizes without an AWS account and deploys into whichever account and region {@code cdk
 * deploy} targets.
 */
public class HubspokeStack extends Stack {
  private final HubspokeTable table;
  private final WorkQueue workQueue;
  private final WorkQueue dispatchQueue;
  private final HubspokeEventBus eventBus;
  private final WorkerLayer workerLayer;
  private final HubFunction hub;
  private final SpokeFunction spoke;
  private final CollectorFunction collector;
  private final EventRoutes eventRoutes;
  private final HubHttpApi httpApi;
  private final ScheduledRuns scheduledRuns;
  private final Monitoring monitoring;

  public HubspokeStack(Construct scope, String id, Props props) {
    super(scope, id, props.getStackProps());
    HubspokeConfig config = props.getConfig();
    RetentionDays retention = LogRetention.of(config.getLogRetentionDays());

    this.table =
        new HubspokeTable(
            this,
            "Store",
            HubspokeTable.Props.builder().removalPolicy(config.getTableRemovalPolicy()).build());
    this.workQueue =
        new WorkQueue(
            this,
            "Work",
            WorkQueue.Props.builder()
                .spokeTimeoutSeconds(config.getSpoke().timeoutSeconds())
                .batchingWindowSeconds(config.getSpokeBatchingWindowSeconds())
                .maxReceiveCount(config.getMaxReceiveCount())
                .build());
    // Its consumer is the hub: the visibility timeout follows the hub's timeout.
    this.dispatchQueue =
        new WorkQueue(
            this,
            "Dispatch",
            WorkQueue.Props.builder()
                .spokeTimeoutSeconds(config.getHub().timeoutSeconds())
                .maxReceiveCount(config.getMaxReceiveCount())
                .build());
    this.eventBus = new HubspokeEventBus(this, "Events", HubspokeEventBus.Props.builder().build());

    // The user's workers and item sources: the hub validates a run's worker config with them, the
    // spoke runs them; the collector never does.
    this.workerLayer =
        config.getWorkerJars().isEmpty()
            ? null
            : new WorkerLayer(
                this,
                "WorkerLayer",
                WorkerLayer.Props.builder().jars(config.getWorkerJars()).build());
    List<ILayerVersion> workerLayers =
        workerLayer == null ? List.of() : List.of(workerLayer.getLayer());

    this.hub =
        new HubFunction(
            this,
            "HubFunction",
            common(props.getHubJar(), config.getHub(), retention).layers(workerLayers).build());
    this.spoke =
        new SpokeFunction(
            this,
            "SpokeFunction",
            SpokeFunction.Props.builder()
                .function(
                    common(props.getSpokeJar(), config.getSpoke(), retention)
                        .layers(workerLayers)
                        .build())
                .batchSize(config.getSpokeBatchSize())
                .batchingWindowSeconds(config.getSpokeBatchingWindowSeconds())
                .maxConcurrency(config.getSpokeMaxConcurrency())
                .leaseGraceSeconds(config.getLeaseGraceSeconds())
                .build());
    WorkerFunctionGrants.apply(hub, spoke, config.getWorkerFunctions());
    this.collector =
        new CollectorFunction(
            this,
            "CollectorFunction",
            common(props.getCollectorJar(), config.getCollector(), retention).build());
    // Push runs: the hub (and the sweep) invoke the spoke's alias asynchronously.
    SpokePush.apply(
        spoke, workQueue.getDeadLetterQueue(), List.of(hub.getFunction(), collector.getFunction()));

    this.eventRoutes =
        new EventRoutes(
            this,
            "Routes",
            EventRoutes.Props.builder()
                .eventBus(eventBus.getBus())
                .collector(collector.getAlias())
                .spoke(spoke.getAlias())
                .deadLetterQueue(eventBus.getDeliveryDeadLetterQueue())
                .retryAttempts(config.getEventRetryAttempts())
                .maxEventAgeSeconds(config.getEventMaxAgeSeconds())
                .sweepSchedule(config.getSweepSchedule())
                .build());
    this.httpApi =
        new HubHttpApi(
            this,
            "Http",
            HubHttpApi.Props.builder()
                .hub(hub.getAlias())
                .authorization(config.getApiAuthorization())
                .throttleRateLimit(config.getApiThrottleRateLimit())
                .throttleBurstLimit(config.getApiThrottleBurstLimit())
                .logRetention(retention)
                .build());
    this.scheduledRuns =
        new ScheduledRuns(
            this,
            "Schedules",
            ScheduledRuns.Props.builder()
                .schedules(config.getSchedules())
                .workers(
                    PluginWorkers.catalog(
                        config.getWorkerJars(), WorkerFunctions.of(config.getWorkerFunctions())))
                .hub(hub.getAlias())
                .deadLetterQueue(eventBus.getDeliveryDeadLetterQueue())
                .retryAttempts(config.getEventRetryAttempts())
                .maxEventAgeSeconds(config.getEventMaxAgeSeconds())
                .build());
    Monitoring.Props.Builder monitoringProps =
        Monitoring.Props.builder()
            .table(table)
            .workQueue(workQueue, config.getOldestMessageAlarmSeconds())
            .queue(
                "Dispatch",
                dispatchQueue.getQueue(),
                dispatchQueue.getDeadLetterQueue(),
                config.getOldestMessageAlarmSeconds())
            .eventBus(eventBus)
            .function("Hub", hub.getFunction())
            .function("Spoke", spoke.getFunction())
            .function("Collector", collector.getFunction())
            .api(httpApi)
            .rule("RunDrained", EventRules.RUN_DRAINED_RULE, eventBus.getBus().getEventBusName())
            .rule("Sweep", eventRoutes.getSweep().getRuleName())
            .rule(
                "WorkAvailable",
                EventRules.WORK_AVAILABLE_RULE,
                eventBus.getBus().getEventBusName())
            .sweep(eventRoutes.getSweep().getRuleName(), config.sweepAlarmPeriodSeconds());
    scheduledRuns
        .getRulesByName()
        .forEach((name, rule) -> monitoringProps.rule("Schedule-" + name, rule.getRuleName()));
    config.getAlarmEmail().ifPresent(monitoringProps::alarmEmail);
    this.monitoring = new Monitoring(this, "Monitoring", monitoringProps.build());

    output("ApiUrl", httpApi.getUrl(), "Base URL of the HTTP API (SigV4-signed requests)");
    output("TableName", table.getTable().getTableName(), "DynamoDB table of runs and tasks");
    output("WorkQueueName", workQueue.getQueue().getQueueName(), "SQS work queue");
    output("WorkQueueUrl", workQueue.getQueue().getQueueUrl(), "SQS work queue URL");
    output(
        "DispatchQueueName",
        dispatchQueue.getQueue().getQueueName(),
        "SQS queue of the hub's background dispatch (one message per chunk of a run)");
    output(
        "DeadLetterQueueName",
        workQueue.getDeadLetterQueue().getQueueName(),
        "Dead-letter queue of the work queue");
    output(
        "EventDeadLetterQueueName",
        eventBus.getDeliveryDeadLetterQueue().getQueueName(),
        "Events EventBridge could not deliver to a function");
    output("EventBusName", eventBus.getBus().getEventBusName(), "Custom EventBridge bus");
    output("HubFunctionName", hub.getFunction().getFunction().getFunctionName(), "Hub function");
    output("AlarmTopicArn", monitoring.getAlarmTopic().getTopicArn(), "SNS topic of the alarms");
    output("DashboardName", monitoring.getDashboard().getDashboardName(), "CloudWatch dashboard");
  }

  private FunctionProps.Builder common(
      Path jar, HubspokeConfig.FunctionSettings settings, RetentionDays retention) {
    return FunctionProps.builder()
        .jar(jar)
        .memoryMb(settings.memoryMb())
        .timeoutSeconds(settings.timeoutSeconds())
        .logRetention(retention)
        .table(table)
        .workQueue(workQueue)
        .dispatchQueue(dispatchQueue)
        .eventBus(eventBus);
  }

  private void output(String id, String value, String description) {
    CfnOutput.Builder.create(this, id).value(value).description(description).build();
  }

  public HubspokeTable getTable() {
    return table;
  }

  public WorkQueue getWorkQueue() {
    return workQueue;
  }

  public WorkQueue getDispatchQueue() {
    return dispatchQueue;
  }

  public HubspokeEventBus getEventBus() {
    return eventBus;
  }

  /** The layer of the user's jars on the hub and the spoke, if {@code workerJars} names any. */
  public Optional<WorkerLayer> getWorkerLayer() {
    return Optional.ofNullable(workerLayer);
  }

  public HubFunction getHub() {
    return hub;
  }

  public SpokeFunction getSpoke() {
    return spoke;
  }

  public CollectorFunction getCollector() {
    return collector;
  }

  public EventRoutes getEventRoutes() {
    return eventRoutes;
  }

  public HubHttpApi getHttpApi() {
    return httpApi;
  }

  public ScheduledRuns getScheduledRuns() {
    return scheduledRuns;
  }

  public Monitoring getMonitoring() {
    return monitoring;
  }

  /** Settings of {@link HubspokeStack}. */
  public static final class Props {
    private final StackProps stackProps;
    private final HubspokeConfig config;
    private final Path hubJar;
    private final Path spokeJar;
    private final Path collectorJar;

    private Props(Builder b) {
      this.stackProps = Objects.requireNonNull(b.stackProps, "stackProps");
      this.config = Objects.requireNonNull(b.config, "config");
      this.hubJar = Objects.requireNonNull(b.hubJar, "hubJar");
      this.spokeJar = Objects.requireNonNull(b.spokeJar, "spokeJar");
      this.collectorJar = Objects.requireNonNull(b.collectorJar, "collectorJar");
    }

    public static Builder builder() {
      return new Builder();
    }

    public StackProps getStackProps() {
      return stackProps;
    }

    public HubspokeConfig getConfig() {
      return config;
    }

    public Path getHubJar() {
      return hubJar;
    }

    public Path getSpokeJar() {
      return spokeJar;
    }

    public Path getCollectorJar() {
      return collectorJar;
    }

    public static final class Builder {
      private StackProps stackProps =
          StackProps.builder()
              .description("hubspoke: hub-and-spoke fan-out on AWS serverless")
              .build();
      private HubspokeConfig config = HubspokeConfig.defaults();
      private Path hubJar;
      private Path spokeJar;
      private Path collectorJar;

      public Builder stackProps(StackProps stackProps) {
        this.stackProps = stackProps;
        return this;
      }

      public Builder config(HubspokeConfig config) {
        this.config = config;
        return this;
      }

      /** The three shaded Lambda jars. */
      public Builder jars(LambdaJars jars) {
        this.hubJar = jars.hub();
        this.spokeJar = jars.spoke();
        this.collectorJar = jars.collector();
        return this;
      }

      public Builder hubJar(Path jar) {
        this.hubJar = jar;
        return this;
      }

      public Builder spokeJar(Path jar) {
        this.spokeJar = jar;
        return this;
      }

      public Builder collectorJar(Path jar) {
        this.collectorJar = jar;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
