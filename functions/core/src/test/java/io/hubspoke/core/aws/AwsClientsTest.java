package io.hubspoke.core.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hubspoke.contract.HubspokeEnvironment;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

class AwsClientsTest {
  final String before = System.getProperty("http.maxConnections");

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty("http.maxConnections");
    } else {
      System.setProperty("http.maxConnections", before);
    }
  }

  @Test
  void keepsMoreIdleConnectionsThanASpokeMakesCallsAtOnce() {
    System.clearProperty("http.maxConnections");
    AwsClients.keepConnectionsAlive();
    assertEquals("100", System.getProperty("http.maxConnections"));
  }

  @Test
  void leavesAValueSetOnTheCommandLineAlone() {
    System.setProperty("http.maxConnections", "7");
    AwsClients.keepConnectionsAlive();
    assertEquals("7", System.getProperty("http.maxConnections"));
  }

  @Test
  void buildsTheLambdaClientOnItsFirstUseOnlyAndOnce() {
    HubspokeEnvironment env =
        new HubspokeEnvironment(
            Map.of(
                "AWS_REGION",
                "eu-west-1",
                "AWS_ACCESS_KEY_ID",
                "k",
                "AWS_SECRET_ACCESS_KEY",
                "s",
                HubspokeEnvironment.ENDPOINT_LAMBDA,
                "http://127.0.0.1:1"));
    AtomicInteger built = new AtomicInteger();
    try (AwsClients real = AwsClients.fromEnvironment(env);
        AwsClients clients =
            new AwsClients(
                real.dynamoDb(),
                real.sqs(),
                real.eventBridge(),
                () -> {
                  built.incrementAndGet();
                  return LambdaClient.builder()
                      .region(software.amazon.awssdk.regions.Region.EU_WEST_1)
                      .build();
                })) {
      assertEquals(0, built.get(), "built before the first lambda task");
      LambdaClient first = clients.lambda();
      assertSame(first, clients.lambda());
      assertEquals(1, built.get());
      assertEquals(
          "http://127.0.0.1:1",
          real.lambda().serviceClientConfiguration().endpointOverride().orElseThrow().toString());
    }
  }
}
