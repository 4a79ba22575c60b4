package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A stack's API URL from its outputs (DescribeStacks itself needs AWS and is not run here). */
class StackEndpointTest {
  @Test
  void theApiUrlOutputIsTheEndpoint() {
    URI api =
        StackEndpoint.apiUrl(
            "Hubspoke",
            Map.of(
                "ApiUrl", "https://abc123.execute-api.eu-west-1.amazonaws.com/",
                "TableName", "Hubspoke-Table"));
    assertEquals(URI.create("https://abc123.execute-api.eu-west-1.amazonaws.com/"), api);
    assertEquals(Optional.of("eu-west-1"), RemoteOptions.regionOf(api));
  }

  @Test
  void aStackWithoutApiUrlIsNamedWithItsOutputs() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> StackEndpoint.apiUrl("Other", Map.of("BucketName", "b", "TableName", "t")));
    assertTrue(e.getMessage().contains("stack Other has no ApiUrl output"), e.getMessage());
    assertTrue(e.getMessage().contains("(its outputs: BucketName, TableName)"), e.getMessage());
    assertTrue(e.getMessage().contains("--endpoint"), e.getMessage());
    UsageException none =
        assertThrows(UsageException.class, () -> StackEndpoint.apiUrl("Empty", Map.of()));
    assertTrue(none.getMessage().contains("(its outputs: none)"), none.getMessage());
  }

  @Test
  void anApiUrlThatIsNotHttpIsRefused() {
    for (String url : new String[] {"ftp://x/", "not a url", "https:///runs"}) {
      UsageException e =
          assertThrows(
              UsageException.class, () -> StackEndpoint.apiUrl("Hubspoke", Map.of("ApiUrl", url)));
      assertTrue(e.getMessage().contains("is not an http(s) URL"), url + ": " + e.getMessage());
    }
  }

  @Test
  void theRegionIsReadFromAnExecuteApiHostOnly() {
    assertEquals(
        Optional.of("ap-southeast-2"),
        RemoteOptions.regionOf(
            URI.create("https://x1y2.execute-api.ap-southeast-2.amazonaws.com")));
    assertEquals(
        Optional.of("cn-north-1"),
        RemoteOptions.regionOf(URI.create("https://x1.execute-api.cn-north-1.amazonaws.com.cn/")));
    assertEquals(Optional.empty(), RemoteOptions.regionOf(URI.create("https://api.example.com/")));
    assertEquals(Optional.empty(), RemoteOptions.regionOf(URI.create("http://127.0.0.1:8080")));
  }
}
