package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The {@link Context} a locally run handler receives. It mirrors what the Lambda runtime gives a
 * Java function: names, memory, a fresh request id per invocation and, most importantly, a
 * remaining time that counts down to the invocation's deadline, because hubspoke handlers bound
 * their work by {@link #getRemainingTimeInMillis()}. The clock is injectable so tests can move time
 * themselves.
 */
public final class LocalLambdaContext implements Context {
  /** The account id every local ARN uses, as ElasticMQ and the local event bus do. */
  public static final String LOCAL_ACCOUNT_ID = "000000000000";

  private final String functionName;
  private final String functionVersion;
  private final int memoryLimitInMb;
  private final String awsRequestId;
  private final String region;
  private final Instant deadline;
  private final Clock clock;
  private final LambdaLogger logger;

  private LocalLambdaContext(Builder b) {
    this.functionName = Objects.requireNonNull(b.functionName, "functionName");
    this.functionVersion = b.functionVersion;
    this.memoryLimitInMb = b.memoryLimitInMb;
    this.awsRequestId = b.awsRequestId != null ? b.awsRequestId : UUID.randomUUID().toString();
    this.region = b.region;
    this.clock = b.clock;
    this.deadline = b.deadline != null ? b.deadline : clock.instant().plus(b.timeout);
    this.logger = new SinkLogger(b.logSink);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The region the function runs in. */
  public String region() {
    return region;
  }

  /** The instant after which Lambda would stop this invocation. */
  public Instant deadline() {
    return deadline;
  }

  @Override
  public String getAwsRequestId() {
    return awsRequestId;
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + functionName;
  }

  @Override
  public String getLogStreamName() {
    return "local/[" + functionVersion + "]" + awsRequestId;
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public String getFunctionVersion() {
    return functionVersion;
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:" + region + ":" + LOCAL_ACCOUNT_ID + ":function:" + functionName;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null; // only set for invocations through the mobile SDK
  }

  @Override
  public ClientContext getClientContext() {
    return null; // only set for invocations through the mobile SDK
  }

  @Override
  public int getRemainingTimeInMillis() {
    long remaining = Duration.between(clock.instant(), deadline).toMillis();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining));
  }

  @Override
  public int getMemoryLimitInMB() {
    return memoryLimitInMb;
  }

  @Override
  public LambdaLogger getLogger() {
    return logger;
  }

  /** Writes each log call to the sink as one line, as CloudWatch records one event per call. */
  private record SinkLogger(Consumer<String> sink) implements LambdaLogger {
    @Override
    public void log(String message) {
      sink.accept(message);
    }

    @Override
    public void log(byte[] message) {
      sink.accept(new String(message, StandardCharsets.UTF_8));
    }
  }

  public static final class Builder {
    private String functionName;
    private String functionVersion = "$LATEST";
    private int memoryLimitInMb = 512;
    private String awsRequestId;
    private String region = "us-east-1";
    private Duration timeout = Duration.ofSeconds(3); // Lambda's default function timeout
    private Instant deadline;
    private Clock clock = Clock.systemUTC();
    private Consumer<String> logSink = System.out::println;

    private Builder() {}

    public Builder functionName(String functionName) {
      this.functionName = functionName;
      return this;
    }

    public Builder functionVersion(String functionVersion) {
      this.functionVersion = Objects.requireNonNull(functionVersion);
      return this;
    }

    public Builder memoryLimitInMb(int memoryLimitInMb) {
      this.memoryLimitInMb = memoryLimitInMb;
      return this;
    }

    /** Defaults to a random UUID, as Lambda gives each invocation a new one. */
    public Builder awsRequestId(String awsRequestId) {
      this.awsRequestId = awsRequestId;
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region);
      return this;
    }

    /** Function timeout: the deadline is the clock's now plus this, unless {@link #deadline}. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    public Builder deadline(Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder logSink(Consumer<String> logSink) {
      this.logSink = Objects.requireNonNull(logSink);
      return this;
    }

    public LocalLambdaContext build() {
      return new LocalLambdaContext(this);
    }
  }
}
