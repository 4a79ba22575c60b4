package io.hubspoke.core.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
}
