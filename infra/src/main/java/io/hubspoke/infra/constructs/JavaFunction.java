package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.ILayerVersion;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * One hubspoke Lambda function as every function of the system is deployed: Java 21 on arm64,
 * SnapStart on published versions behind the alias {@value #ALIAS}, JSON logs into its own log
 * group with a retention, X-Ray active tracing, and a role of its own that holds nothing but log
 * writing (and the tracing grant) until the caller adds what the function uses. It runs with layers
 * (a {@link WorkerLayer}) only when given some.
 *
 * <p>Event sources, rule targets and the API integration must point at {@link #getAlias()}: only
 * published versions are SnapStart-ed.
 */
public class JavaFunction extends Construct {
  static final String RUNTIME_REASON =
      "java21 is the runtime the project targets and tests (the issue pins it); the newer java25"
          + " runtime is a deliberate, separately tested upgrade.";

  /** Name of the alias every trigger invokes. */
  public static final String ALIAS = "live";

  /** The runtime of every function (and so the one runtime their layers must declare). */
  public static final Runtime RUNTIME = Runtime.JAVA_21;

  /** The instruction set of every function. */
  public static final Architecture ARCHITECTURE = Architecture.ARM_64;

  private final Role role;
  private final LogGroup logGroup;
  private final Function function;
  private final Alias alias;

  public JavaFunction(Construct scope, String id, Props props) {
    super(scope, id);
    this.role =
        Role.Builder.create(this, "Role")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .description("Execution role of the hubspoke " + id + " function")
            .build();
    this.logGroup =
        LogGroup.Builder.create(this, "LogGroup")
            .retention(props.getLogRetention())
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();
    Function.Builder builder =
        Function.Builder.create(this, "Function")
            .description(props.getDescription())
            .runtime(RUNTIME)
            .architecture(ARCHITECTURE)
            .handler(props.getHandler())
            .code(Code.fromAsset(props.getJar().toString()))
            .memorySize(props.getMemoryMb())
            .timeout(Duration.seconds(props.getTimeoutSeconds()))
            .environment(props.getEnvironment())
            .role(role)
            .logGroup(logGroup)
            .loggingFormat(LoggingFormat.JSON)
            .tracing(Tracing.ACTIVE)
            .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
            .deadLetterQueue(props.getAsyncDeadLetterQueue());
    if (!props.getLayers().isEmpty()) {
      builder.layers(props.getLayers());
    }
    this.function = builder.build();
    // Log writing into its own group only (the function has an explicit role, so CDK adds no
    // AWSLambdaBasicExecutionRole and no logs:CreateLogGroup).
    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
            .resources(List.of(logGroup.getLogGroupArn()))
            .build());
    // CDK warns that SnapStart needs published versions: it has them (currentVersion + alias).
    software.amazon.awscdk.Annotations.of(function)
        .acknowledgeWarning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish",
            "Published through currentVersion, invoked only through the alias");
    this.alias =
        Alias.Builder.create(this, "Alias")
            .aliasName(ALIAS)
            .version(function.getCurrentVersion())
            .build();

    NagSuppressions.addResourceSuppressions(
        role,
        List.of(
            NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason(
                    "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do"
                        + " not support resource-level permissions, AWS requires Resource '*'.")
                .appliesTo(List.of("Resource::*"))
                .build()),
        true);
    NagSuppressions.addResourceSuppressions(
        function,
        List.of(
            NagPackSuppression.builder().id("AwsSolutions-L1").reason(RUNTIME_REASON).build(),
            NagPackSuppression.builder()
                .id("Serverless-LambdaLatestVersion")
                .reason(RUNTIME_REASON)
                .build()));
    if (props.getAsyncDeadLetterQueue() == null) {
      NagSuppressions.addResourceSuppressions(
          function,
          List.of(
              NagPackSuppression.builder()
                  .id("Serverless-LambdaDLQ")
                  .reason(
                      "No Lambda DLQ: invoked synchronously by an SQS event source mapping,"
                          + " whose failed messages reach the queue's own DLQ through its redrive"
                          + " policy; a function also invoked asynchronously (the spoke, for push"
                          + " runs) is so only through its alias, whose EventInvokeConfig sends"
                          + " failed events to an on-failure destination instead.")
                  .build()));
    }
  }

  public Role getRole() {
    return role;
  }

  public LogGroup getLogGroup() {
    return logGroup;
  }

  public Function getFunction() {
    return function;
  }

  /** The {@value #ALIAS} alias on the current published (SnapStart-ed) version. */
  public Alias getAlias() {
    return alias;
  }

  /** Settings of {@link JavaFunction}. */
  public static final class Props {
    private final String description;
    private final String handler;
    private final Path jar;
    private final int memoryMb;
    private final int timeoutSeconds;
    private final Map<String, String> environment;
    private final RetentionDays logRetention;
    private final IQueue asyncDeadLetterQueue;
    private final List<ILayerVersion> layers;

    private Props(Builder b) {
      this.description = Objects.requireNonNull(b.description, "description");
      this.handler = Objects.requireNonNull(b.handler, "handler");
      this.jar = Objects.requireNonNull(b.jar, "jar");
      this.memoryMb = b.memoryMb;
      this.timeoutSeconds = b.timeoutSeconds;
      this.environment = Map.copyOf(Objects.requireNonNull(b.environment, "environment"));
      this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention");
      this.asyncDeadLetterQueue = b.asyncDeadLetterQueue;
      this.layers = List.copyOf(b.layers);
    }

    /** Where Lambda puts asynchronous invocations that failed every attempt; may be null. */
    public IQueue getAsyncDeadLetterQueue() {
      return asyncDeadLetterQueue;
    }

    public static Builder builder() {
      return new Builder();
    }

    public String getDescription() {
      return description;
    }

    public String getHandler() {
      return handler;
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

    public Map<String, String> getEnvironment() {
      return environment;
    }

    public RetentionDays getLogRetention() {
      return logRetention;
    }

    /** Layers the function runs with, in order (e.g. a {@link WorkerLayer}); none by default. */
    public List<ILayerVersion> getLayers() {
      return layers;
    }

    public static final class Builder {
      private String description;
      private String handler;
      private Path jar;
      private int memoryMb = 1024;
      private int timeoutSeconds = 30;
      private Map<String, String> environment = Map.of();
      private RetentionDays logRetention = RetentionDays.ONE_MONTH;
      private IQueue asyncDeadLetterQueue;
      private List<ILayerVersion> layers = List.of();

      /** Layers to attach, e.g. a {@link WorkerLayer}'s; replaces any set before. */
      public Builder layers(List<? extends ILayerVersion> layers) {
        this.layers = List.copyOf(layers);
        return this;
      }

      /**
       * Dead-letter queue for asynchronous invocations (EventBridge rules); leave unset for a
       * function that is only invoked synchronously.
       */
      public Builder asyncDeadLetterQueue(IQueue queue) {
        this.asyncDeadLetterQueue = queue;
        return this;
      }

      public Builder description(String description) {
        this.description = description;
        return this;
      }

      /** {@code package.Class::method}. */
      public Builder handler(String handler) {
        this.handler = handler;
        return this;
      }

      /** The shaded Lambda jar. */
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

      public Builder environment(Map<String, String> environment) {
        this.environment = environment;
        return this;
      }

      public Builder logRetention(RetentionDays logRetention) {
        this.logRetention = logRetention;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
