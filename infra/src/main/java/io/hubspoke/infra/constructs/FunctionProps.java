package io.hubspoke.infra.constructs;

import io.hubspoke.contract.HubspokeEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.ILayerVersion;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * What the hub, spoke and collector constructs share: code, size, log retention, layers, and the
 * resources every function is wired to (their names go into the environment variables of {@link
 * HubspokeEnvironment}).
 */
public final class FunctionProps {
  private final Path jar;
  private final int memoryMb;
  private final int timeoutSeconds;
  private final RetentionDays logRetention;
  private final HubspokeTable table;
  private final WorkQueue workQueue;
  private final WorkQueue dispatchQueue;
  private final HubspokeEventBus eventBus;
  private final List<ILayerVersion> layers;

  private FunctionProps(Builder b) {
    this.jar = Objects.requireNonNull(b.jar, "jar");
    this.memoryMb = b.memoryMb;
    this.timeoutSeconds = b.timeoutSeconds;
    this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention");
    this.table = Objects.requireNonNull(b.table, "table");
    this.workQueue = Objects.requireNonNull(b.workQueue, "workQueue");
    this.dispatchQueue = Objects.requireNonNull(b.dispatchQueue, "dispatchQueue");
    this.eventBus = Objects.requireNonNull(b.eventBus, "eventBus");
    this.layers = List.copyOf(b.layers);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Path getJar() {
    return jar;
  }

  public int getMemoryMb() {
    return memoryMb;
  }

  public int getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public RetentionDays getLogRetention() {
    return logRetention;
  }

  public HubspokeTable getTable() {
    return table;
  }

  public WorkQueue getWorkQueue() {
    return workQueue;
  }

  public HubspokeEventBus getEventBus() {
    return eventBus;
  }

  /**
   * Layers the function runs with, in order; none by default. The stack gives its {@link
   * WorkerLayer} (the user's workers and item sources, on the class path) to the hub, which
   * validates a run's worker config, and to the spoke, which runs it; the collector runs no worker.
   */
  public List<ILayerVersion> getLayers() {
    return layers;
  }

  /** The hub's dispatch queue: one message per chunk of a submitted run. */
  public WorkQueue getDispatchQueue() {
    return dispatchQueue;
  }

  /**
   * The variables of {@link HubspokeEnvironment} that every function reads (the spoke's timeout
   * bounds the task timeout the hub accepts).
   */
  public Map<String, String> environment() {
    return Map.of(
        HubspokeEnvironment.TABLE_NAME, table.getTable().getTableName(),
        HubspokeEnvironment.QUEUE_URL, workQueue.getQueue().getQueueUrl(),
        HubspokeEnvironment.DEAD_LETTER_QUEUE_URL, workQueue.getDeadLetterQueue().getQueueUrl(),
        HubspokeEnvironment.EVENT_BUS_NAME, eventBus.getBus().getEventBusName(),
        HubspokeEnvironment.DISPATCH_QUEUE_URL, dispatchQueue.getQueue().getQueueUrl(),
        HubspokeEnvironment.DISPATCH_DEAD_LETTER_QUEUE_URL,
            dispatchQueue.getDeadLetterQueue().getQueueUrl(),
        HubspokeEnvironment.SPOKE_TIMEOUT_SECONDS,
            Integer.toString(workQueue.getSpokeTimeoutSeconds()));
  }

  /** A {@link JavaFunction} with these settings. */
  JavaFunction.Props.Builder javaFunction(String description, String handler) {
    return JavaFunction.Props.builder()
        .description(description)
        .handler(handler)
        .jar(jar)
        .memoryMb(memoryMb)
        .timeoutSeconds(timeoutSeconds)
        .logRetention(logRetention)
        .environment(environment())
        .layers(layers);
  }

  /** Adds one Allow statement of exactly these actions on exactly these resources. */
  static void allow(IGrantable grantee, List<String> actions, List<String> resources) {
    grantee
        .getGrantPrincipal()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create().actions(actions).resources(resources).build());
  }

  public static final class Builder {
    private Path jar;
    private int memoryMb = 1024;
    private int timeoutSeconds = 30;
    private RetentionDays logRetention = RetentionDays.ONE_MONTH;
    private HubspokeTable table;
    private WorkQueue workQueue;
    private WorkQueue dispatchQueue;
    private HubspokeEventBus eventBus;
    private List<ILayerVersion> layers = List.of();

    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    public Builder memoryMb(int memoryMb) {
      this.memoryMb = memoryMb;
      return this;
    }

    public Builder timeoutSeconds(int timeoutSeconds) {
      this.timeoutSeconds = timeoutSeconds;
      return this;
    }

    public Builder logRetention(RetentionDays logRetention) {
      this.logRetention = logRetention;
      return this;
    }

    public Builder table(HubspokeTable table) {
      this.table = table;
      return this;
    }

    public Builder workQueue(WorkQueue workQueue) {
      this.workQueue = workQueue;
      return this;
    }

    public Builder dispatchQueue(WorkQueue dispatchQueue) {
      this.dispatchQueue = dispatchQueue;
      return this;
    }

    public Builder eventBus(HubspokeEventBus eventBus) {
      this.eventBus = eventBus;
      return this;
    }

    /** Layers to attach to the function (see {@link FunctionProps#getLayers()}). */
    public Builder layers(List<? extends ILayerVersion> layers) {
      this.layers = List.copyOf(layers);
      return this;
    }

    public FunctionProps build() {
      return new FunctionProps(this);
    }
  }
}
