package io.hubspoke.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.RemovalPolicy;

/** Context parsing, without synthesizing anything. */
class HubspokeConfigTest {
  @Test
  void defaults() {
    HubspokeConfig config = HubspokeConfig.defaults();
    assertEquals("Hubspoke", config.getStackName());
    assertEquals(new HubspokeConfig.FunctionSettings(1024, 30), config.getHub());
    assertEquals(new HubspokeConfig.FunctionSettings(1024, 60), config.getSpoke());
    assertEquals(new HubspokeConfig.FunctionSettings(1024, 300), config.getCollector());
    assertEquals(10, config.getSpokeBatchSize());
    assertEquals(0, config.getSpokeBatchingWindowSeconds());
    assertEquals(50, config.getSpokeMaxConcurrency());
    assertEquals(8, config.getMaxReceiveCount());
    assertEquals(30, config.getLogRetentionDays());
    assertEquals(RemovalPolicy.RETAIN, config.getTableRemovalPolicy());
    assertEquals(HubspokeConfig.ApiAuthorization.IAM, config.getApiAuthorization());
    assertEquals("rate(5 minutes)", config.getSweepSchedule());
    assertEquals(360, config.workQueueVisibilityTimeoutSeconds());
    assertEquals(List.of(), config.getSchedules());
    assertTrue(config.isNag());
  }

  @Test
  void cdkJsonMatchesTheDefaultsAndHoldsOnlyKnownKeys() {
    Map<String, Object> context = Synth.cdkJsonContext();
    HubspokeConfig fromFile = HubspokeConfig.fromMap(context);
    HubspokeConfig defaults = HubspokeConfig.defaults();
    assertEquals(defaults.getHub(), fromFile.getHub());
    assertEquals(defaults.getSpoke(), fromFile.getSpoke());
    assertEquals(defaults.getCollector(), fromFile.getCollector());
    assertEquals(
        defaults.workQueueVisibilityTimeoutSeconds(), fromFile.workQueueVisibilityTimeoutSeconds());
    assertEquals(defaults.getTableRemovalPolicy(), fromFile.getTableRemovalPolicy());
  }

  @Test
  void schedulesFromJsonValuesOrFromAString() {
    List<HubspokeConfig.ScheduledRun> fromJson =
        HubspokeConfig.schedules(
            List.of(Map.of("name", "n1", "schedule", "rate(1 day)", "request", Map.of("a", 1))));
    List<HubspokeConfig.ScheduledRun> fromString =
        HubspokeConfig.schedules(
            "[{\"name\":\"n1\",\"schedule\":\"rate(1 day)\",\"request\":{\"a\":1}}]");
    assertEquals(fromJson, fromString);
    assertEquals("n1", fromJson.get(0).name());
    assertEquals(Map.of("a", 1), fromJson.get(0).request());
  }

  @Test
  void rejectsWhatCannotDeploy() {
    assertRejected(HubspokeConfig.MAX_RECEIVE_COUNT, "4");
    assertRejected(HubspokeConfig.SPOKE_MAX_CONCURRENCY, "1");
    assertRejected(HubspokeConfig.SPOKE_BATCH_SIZE, "100"); // needs a batching window
    assertRejected(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "901");
    assertRejected(HubspokeConfig.LOG_RETENTION_DAYS, "31");
    assertRejected(HubspokeConfig.TABLE_REMOVAL_POLICY, "snapshot");
    assertRejected(HubspokeConfig.HUB_MEMORY_MB, "lots");
    assertRejected(HubspokeConfig.API_AUTHORIZATION, "cognito");
    assertRejected("hubspoke:spokeTimeout", "60"); // typo of a known key
    assertRejected(
        HubspokeConfig.SCHEDULES, "[{\"name\":\"x\",\"schedule\":\"daily\",\"request\":{}}]");
    assertRejected(
        HubspokeConfig.SCHEDULES,
        "[{\"name\":\"bad name\",\"schedule\":\"rate(1 day)\",\"request\":{}}]");
    assertRejected(
        HubspokeConfig.SCHEDULES,
        "[{\"name\":\"x\",\"schedule\":\"rate(1 day)\",\"request\":{\"idempotencyKey\":\"k\"}}]");
    assertRejected(
        HubspokeConfig.SCHEDULES,
        "[{\"name\":\"x\",\"schedule\":\"rate(1 day)\",\"request\":{}},"
            + "{\"name\":\"x\",\"schedule\":\"rate(2 days)\",\"request\":{}}]");
    assertRejected(HubspokeConfig.SCHEDULES, "[{\"name\":\"x\",\"schedule\":\"rate(1 day)\"}]");
  }

  private static void assertRejected(String key, String value) {
    assertThrows(
        IllegalArgumentException.class,
        () -> HubspokeConfig.fromMap(Map.of(key, value)),
        key + "=" + value);
  }

  @Test
  void rejectsABatchLargerThanASpokeWorksOnAtOnce() {
    Map<String, Object> context = new java.util.HashMap<>();
    context.put(HubspokeConfig.SPOKE_BATCHING_WINDOW_SECONDS, 5);
    context.put(
        HubspokeConfig.SPOKE_BATCH_SIZE, io.hubspoke.core.config.SpokeLimits.MAX_BATCH_SIZE);
    assertEquals(100, HubspokeConfig.fromMap(context).getSpokeBatchSize());
    context.put(HubspokeConfig.SPOKE_BATCH_SIZE, 10_000);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HubspokeConfig.fromMap(context));
    assertTrue(
        e.getMessage().startsWith("hubspoke:spokeBatchSize is 10000, more than the 100 messages"),
        e.getMessage());
  }

  @Test
  void rejectsSpokeTimingsThatDoNotFitTogether() {
    // 1 s leaves a task no time once the commit reserve is kept, and its 6 s visibility would
    // end before a lease (task time + 10 s grace).
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, 1)));
    assertTrue(e.getMessage().startsWith("hubspoke:spokeTimeoutSeconds is 1"), e.getMessage());
    assertEquals(
        2,
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, 2))
            .getSpoke()
            .timeoutSeconds());
    // A scheduled run asking for more task time than the 60 s spoke gives one.
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HubspokeConfig.fromMap(
                    Map.of(
                        HubspokeConfig.SCHEDULES,
                        "[{\"name\":\"x\",\"schedule\":\"rate(1 day)\",\"request\":"
                            + "{\"worker\":\"echo\",\"items\":[1],\"taskTimeoutSeconds\":59}}]")));
    assertTrue(e.getMessage().contains("taskTimeoutSeconds"), e.getMessage());
    assertTrue(e.getMessage().contains("at most 58"), e.getMessage());
  }
}
