package io.hubspoke.testkit;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Real SDK clients pointed at the local engines, configured as the functions will be. */
public final class TestClients {
  public static final Region REGION = Region.US_EAST_1;
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

  private TestClients() {}

  public static DynamoDbClient dynamo(URI endpoint) {
    return DynamoDbClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .endpointOverride(endpoint)
        .build();
  }

  public static SqsClient sqs(URI endpoint) {
    return SqsClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .endpointOverride(endpoint)
        .build();
  }

  public static EventBridgeClient events(URI endpoint) {
    return EventBridgeClient.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .endpointOverride(endpoint)
        .build();
  }

  /** Polls {@code condition} until it holds or the deadline passes; no fixed sleeps in tests. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(5_000_000); // polling interval of a condition wait
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
