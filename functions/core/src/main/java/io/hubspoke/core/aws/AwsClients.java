package io.hubspoke.core.aws;

import io.hubspoke.contract.HubspokeEnvironment;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients a function uses, built once per function instance from its environment: region,
 * credentials and the SDK's standard {@code AWS_ENDPOINT_URL_<SERVICE>} overrides are read from the
 * same variable names the Lambda runtime and the local runtime set. DynamoDB, SQS and EventBridge
 * are built at once; Lambda (for the {@code lambda} worker) on its first use, so the functions that
 * never invoke one (the hub, the collector, a spoke running other workers) do not pay its start.
 */
public final class AwsClients implements AutoCloseable {
  private final DynamoDbClient dynamoDb;
  private final SqsClient sqs;
  private final EventBridgeClient eventBridge;
  private final Supplier<LambdaClient> lambdaFactory;
  private LambdaClient lambda; // guarded by this

  AwsClients(
      DynamoDbClient dynamoDb,
      SqsClient sqs,
      EventBridgeClient eventBridge,
      Supplier<LambdaClient> lambdaFactory) {
    this.dynamoDb = dynamoDb;
    this.sqs = sqs;
    this.eventBridge = eventBridge;
    this.lambdaFactory = lambdaFactory;
  }

  public DynamoDbClient dynamoDb() {
    return dynamoDb;
  }

  public SqsClient sqs() {
    return sqs;
  }

  public EventBridgeClient eventBridge() {
    return eventBridge;
  }

  /** The Lambda client, built on the first call and shared by every later one (thread-safe). */
  public synchronized LambdaClient lambda() {
    if (lambda == null) {
      lambda = lambdaFactory.get();
    }
    return lambda;
  }

  /**
   * How long the Lambda client waits for a response's next byte: a synchronous invocation answers
   * only when the function returns, up to Lambda's 15-minute limit. Each call is bounded by its
   * task's deadline instead ({@code apiCallTimeout}).
   */
  static final Duration LAMBDA_SOCKET_TIMEOUT = Duration.ofMinutes(16);

  /**
   * Attempts per request (the SDK's standard is 3): throttling is ridden out, not surfaced, unless
   * the caller's {@link CallDeadline} comes first.
   */
  static final int MAX_ATTEMPTS = 8;

  public static AwsClients fromEnvironment(HubspokeEnvironment env) {
    return fromEnvironment(env, List.of());
  }

  /**
   * @param interceptors added to every client, e.g. to count requests per operation
   */
  /**
   * Idle connections the JDK keeps per host for the URL-connection client. Its default, 5, is less
   * than the calls a spoke makes at once (up to 10 messages in parallel), so every call above five
   * opened a new connection, and on AWS a new TLS session: measured locally, keeping 100 cut the
   * mean UpdateItem time under load by a third.
   */
  static final int KEEP_ALIVE_CONNECTIONS = 100;

  public static AwsClients fromEnvironment(
      HubspokeEnvironment env, List<ExecutionInterceptor> interceptors) {
    keepConnectionsAlive();
    // The URL-connection client starts faster and weighs less than Apache or Netty.
    SdkHttpClient http =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(3))
            .socketTimeout(Duration.ofSeconds(30))
            .build();
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .retryStrategy(
                new DeadlineBoundRetryStrategy(
                    AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(MAX_ATTEMPTS)
                        // A short-lived function must not stop retrying throttles because an
                        // earlier burst emptied the retry quota: throttles are retried with
                        // backoff.
                        .circuitBreakerEnabled(false)
                        .build(),
                    Clock.systemUTC()));
    interceptors.forEach(override::addExecutionInterceptor);
    ClientOverrideConfiguration overrideConfiguration = override.build();
    Region region = Region.of(env.optional(HubspokeEnvironment.AWS_REGION).orElse("us-east-1"));
    AwsCredentialsProvider credentials = credentials(env);

    DynamoDbClient dynamoDb =
        configure(
                DynamoDbClient.builder(),
                region,
                credentials,
                overrideConfiguration,
                env.optional(HubspokeEnvironment.ENDPOINT_DYNAMODB))
            .httpClient(http)
            .build();
    SqsClient sqs =
        configure(
                SqsClient.builder(),
                region,
                credentials,
                overrideConfiguration,
                env.optional(HubspokeEnvironment.ENDPOINT_SQS))
            .httpClient(http)
            .build();
    EventBridgeClient eventBridge =
        configure(
                EventBridgeClient.builder(),
                region,
                credentials,
                overrideConfiguration,
                env.optional(HubspokeEnvironment.ENDPOINT_EVENTBRIDGE))
            .httpClient(http)
            .build();
    Supplier<LambdaClient> lambda =
        () ->
            configure(
                    LambdaClient.builder(),
                    region,
                    credentials,
                    overrideConfiguration,
                    env.optional(HubspokeEnvironment.ENDPOINT_LAMBDA))
                .httpClient(
                    UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(LAMBDA_SOCKET_TIMEOUT)
                        .build())
                .build();
    return new AwsClients(dynamoDb, sqs, eventBridge, lambda);
  }

  /**
   * The JDK reads {@code http.maxConnections} once, on its first connection: this runs before the
   * clients make any, and leaves a value set on the command line alone.
   */
  static void keepConnectionsAlive() {
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", String.valueOf(KEEP_ALIVE_CONNECTIONS));
    }
  }

  private static <B extends AwsClientBuilder<B, ?>> B configure(
      B builder,
      Region region,
      AwsCredentialsProvider credentials,
      ClientOverrideConfiguration override,
      Optional<String> endpoint) {
    builder.region(region).credentialsProvider(credentials).overrideConfiguration(override);
    endpoint.map(URI::create).ifPresent(builder::endpointOverride);
    return builder;
  }

  /** The Lambda runtime puts the function role's credentials in these variables. */
  private static AwsCredentialsProvider credentials(HubspokeEnvironment env) {
    Optional<String> keyId = env.optional("AWS_ACCESS_KEY_ID");
    Optional<String> secret = env.optional("AWS_SECRET_ACCESS_KEY");
    if (keyId.isEmpty() || secret.isEmpty()) {
      return DefaultCredentialsProvider.builder().build();
    }
    Optional<String> token = env.optional("AWS_SESSION_TOKEN");
    return StaticCredentialsProvider.create(
        token.isPresent()
            ? AwsSessionCredentials.create(keyId.get(), secret.get(), token.get())
            : AwsBasicCredentials.create(keyId.get(), secret.get()));
  }

  @Override
  public void close() {
    dynamoDb.close();
    sqs.close();
    eventBridge.close();
    synchronized (this) {
      if (lambda != null) {
        lambda.close();
      }
    }
  }
}
