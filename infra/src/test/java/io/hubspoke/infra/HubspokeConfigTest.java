package io.hubspoke.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.infra.constructs.ApiAuthorization;
import io.hubspoke.infra.constructs.ScheduledRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
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
    assertEquals(ApiAuthorization.IAM, config.getApiAuthorization());
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
    assertEquals(defaults.getLeaseGraceSeconds(), fromFile.getLeaseGraceSeconds());
  }

  @Test
  void schedulesFromJsonValuesOrFromAString() {
    List<ScheduledRun> fromJson =
        HubspokeConfig.schedules(
            List.of(Map.of("name", "n1", "schedule", "rate(1 day)", "request", Map.of("a", 1))));
    List<ScheduledRun> fromString =
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

  @Test
  void theAppRejectsAMisspeltKeyNamingItAndTheClosestValidKey() {
    // As cdk synth -c hubspoke:spokeTimeout=120 hands it over: next to cdk.json's context.
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.put("hubspoke:spokeTimeout", "120");
    App app = new App(AppProps.builder().context(context).build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HubspokeApp.config(app));
    assertTrue(e.getMessage().contains("'hubspoke:spokeTimeout'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("did you mean 'hubspoke:spokeTimeoutSeconds'"), e.getMessage());
  }

  @Test
  void theAppRejectsAKeyWhosePrefixIsMisspeltInCase() {
    App app = new App(AppProps.builder().context(Map.of("Hubspoke:nag", "false")).build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HubspokeApp.config(app));
    assertTrue(e.getMessage().contains("did you mean 'hubspoke:nag'"), e.getMessage());
  }

  @Test
  void theAppReadsKnownKeysAndIgnoresOtherToolsKeys() {
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.put(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "120"); // as -c passes it
    context.put("@aws-cdk/aws-lambda:recognizeLayerVersion", true);
    context.put("acknowledged-issue-numbers", List.of(1234));
    App app = new App(AppProps.builder().context(context).build());
    assertEquals(120, HubspokeApp.config(app).getSpoke().timeoutSeconds());
  }

  @Test
  void theClosestKeyOfCommonMistakes() {
    assertEquals(
        HubspokeConfig.SPOKE_BATCH_SIZE, HubspokeConfig.closestKey("hubspoke:spokeBatchsize"));
    assertEquals(
        HubspokeConfig.SPOKE_MAX_CONCURRENCY,
        HubspokeConfig.closestKey("hubspoke:spokeMaxConcurency"));
    assertEquals(HubspokeConfig.ALARM_EMAIL, HubspokeConfig.closestKey("hubspoke:alarmMail"));
    assertEquals(HubspokeConfig.SCHEDULES, HubspokeConfig.closestKey("hubspoke:schedule"));
    assertEquals(
        HubspokeConfig.HUB_TIMEOUT_SECONDS, HubspokeConfig.closestKey("hubspoke:hubTimeout"));
  }

  @Test
  void theWorkQueueHidesAMessageLongerThanTheLongestLeaseASpokeCanHold() {
    // Visibility 6 x 2 s = 12 s; from its receive a spoke can hold the task 2 s + the 10 s grace.
    assertRejectedWith(
        Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "2"),
        "visibility timeout",
        HubspokeConfig.SPOKE_TIMEOUT_SECONDS + " to at least 3");
    assertEquals(
        18,
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "3"))
            .workQueueVisibilityTimeoutSeconds());
    // A longer grace needs a longer spoke timeout: 6 x 7 s = 42 s > 7 s + 30 s.
    assertRejectedWith(
        Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "6", "hubspoke:leaseGraceSeconds", "30"),
        "visibility timeout",
        "or lower hubspoke:leaseGraceSeconds below 30");
    HubspokeConfig.fromMap(
        Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "7", "hubspoke:leaseGraceSeconds", "30"));
  }

  @Test
  void aThrottledTaskIsReSentPastItsLeaseWithinSqsDelayLimit() {
    // The re-send waits the longest task timeout (840 s) + the grace + 1 s: at most SQS's 900 s.
    HubspokeConfig.fromMap(Map.of("hubspoke:leaseGraceSeconds", "59"));
    assertRejectedWith(Map.of("hubspoke:leaseGraceSeconds", "60"), "900 s", "at most 59");
    assertRejectedWith(Map.of("hubspoke:leaseGraceSeconds", "-1"), "hubspoke:leaseGraceSeconds");
  }

  @Test
  void theSweepAlarmWaitsThreeIntervalsOfTheSweepScheduleAtMostADay() {
    assertEquals(900, HubspokeConfig.defaults().sweepAlarmPeriodSeconds());
    assertEquals(180, sweep("rate(1 minute)").sweepAlarmPeriodSeconds());
    assertEquals(3 * 3600, sweep("rate(1 hour)").sweepAlarmPeriodSeconds());
    assertEquals(86_400, sweep("rate(12 hours)").sweepAlarmPeriodSeconds());
    assertEquals(86_400, sweep("cron(0/5 * * * ? *)").sweepAlarmPeriodSeconds());
    assertRejectedWith(Map.of(HubspokeConfig.SWEEP_SCHEDULE, "every 5 minutes"), "rate(5 minutes)");
    assertRejectedWith(Map.of(HubspokeConfig.SWEEP_SCHEDULE, "rate(5 minute)"), "plural");
    assertRejectedWith(Map.of(HubspokeConfig.SWEEP_SCHEDULE, "rate(1 minutes)"), "singular");
    assertRejectedWith(Map.of(HubspokeConfig.SWEEP_SCHEDULE, "rate(0 minutes)"), "at least 1");
  }

  private static HubspokeConfig sweep(String expression) {
    return HubspokeConfig.fromMap(Map.of(HubspokeConfig.SWEEP_SCHEDULE, expression));
  }

  private static void assertRejectedWith(Map<String, ?> context, String... fragments) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(context),
            context.toString());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }
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
    context.put(HubspokeConfig.SPOKE_BATCH_SIZE, io.hubspoke.contract.SpokeLimits.MAX_BATCH_SIZE);
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
    // 2 s leaves a task a second, but its 12 s visibility does not outlast 2 s + the 10 s grace
    // (theWorkQueueHidesAMessageLongerThanTheLongestLeaseASpokeCanHold); 3 s is the least.
    assertEquals(
        3,
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, 3))
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

  @Test
  void everyKeyIsInTheReadmesConfigurationTable() throws Exception {
    String readme = Files.readString(Synth.REPO_ROOT.resolve("README.md"));
    String table = readme.substring(readme.indexOf("### Configuration (CDK context)"));
    table = table.substring(0, table.indexOf("\n### ", 1));
    for (String key : HubspokeConfig.KEYS) {
      assertTrue(table.contains("| `" + key + "`") || table.contains("/ `" + key + "`"), key);
    }
  }

  @Test
  void noWorkerJarsByDefault() {
    assertEquals(List.of(), HubspokeConfig.defaults().getWorkerJars());
    assertEquals(List.of(), HubspokeConfig.fromMap(Synth.cdkJsonContext()).getWorkerJars());
    assertEquals(
        List.of(), HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, "")).getWorkerJars());
    assertEquals(
        List.of(),
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, List.of())).getWorkerJars());
  }

  @Test
  void workerJarsFromAJsonArrayRelativeToTheRepositoryRootOrAbsolute(@TempDir Path root)
      throws Exception {
    Path relative = TestJars.jar(root.resolve("workers/target"), "sha256-worker.jar", "a.Sha256");
    Path elsewhere = Files.createTempDirectory(root, "elsewhere");
    Path absolute = TestJars.jar(elsewhere, "link-source.jar", "a.Links");
    HubspokeConfig config =
        HubspokeConfig.fromMap(
            Map.of(
                HubspokeConfig.WORKER_JARS,
                List.of("workers/target/sha256-worker.jar", absolute.toString())),
            root);
    assertEquals(List.of(relative, absolute), config.getWorkerJars());
  }

  @Test
  void workerJarsFromACommaSeparatedOrJsonStringAsMinusCPassesThem(@TempDir Path root) {
    Path a = TestJars.jar(root, "a.jar", "a.A");
    Path b = TestJars.jar(root.resolve("lib"), "b.jar", "b.B");
    assertEquals(
        List.of(a, b),
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, " a.jar , lib/b.jar,"), root)
            .getWorkerJars());
    assertEquals(
        List.of(a, b),
        HubspokeConfig.fromMap(
                Map.of(HubspokeConfig.WORKER_JARS, "[\"a.jar\", \"lib/b.jar\"]"), root)
            .getWorkerJars());
    assertEquals(
        List.of(a),
        HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, "a.jar"), root).getWorkerJars());
  }

  @Test
  void rejectsAWorkerJarThatDoesNotExist(@TempDir Path root) {
    assertWorkerJarsRejected(
        root,
        "target/missing.jar",
        root.resolve("target/missing.jar") + " does not exist",
        "build the jar first",
        "resolved against the repository root " + root);
  }

  @Test
  void rejectsAWorkerJarThatIsADirectory(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("target/classes.jar"));
    assertWorkerJarsRejected(
        root,
        "target/classes.jar",
        root.resolve("target/classes.jar") + " is not a file",
        "name the jar itself");
  }

  @Test
  void rejectsAWorkerJarWhoseNameDoesNotEndInJar(@TempDir Path root) {
    TestJars.jar(root, "worker.zip", "a.A");
    assertWorkerJarsRejected(
        root,
        "worker.zip",
        root.resolve("worker.zip") + " does not end in .jar",
        "only /opt/java/lib/*.jar on the class path");
  }

  @Test
  void rejectsAWorkerJarThatIsNotAZipArchive(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("notes.jar"), "not a jar at all");
    assertWorkerJarsRejected(
        root,
        "notes.jar",
        root.resolve("notes.jar") + " is not a readable jar",
        "rebuild it or name the built jar");
  }

  @Test
  void rejectsAnEmptyWorkerJar(@TempDir Path root) throws Exception {
    try (java.util.zip.ZipOutputStream zip =
        new java.util.zip.ZipOutputStream(Files.newOutputStream(root.resolve("empty.jar")))) {
      zip.finish();
    }
    assertWorkerJarsRejected(
        root, "empty.jar", root.resolve("empty.jar") + " is not a readable jar (an empty archive)");
  }

  @Test
  void rejectsTwoWorkerJarsWithOneFileName(@TempDir Path root) {
    TestJars.jar(root.resolve("one"), "worker.jar", "a.A");
    TestJars.jar(root.resolve("two"), "worker.jar", "b.B");
    assertWorkerJarsRejected(
        root,
        "one/worker.jar,two/worker.jar",
        root.resolve("two/worker.jar")
            + " has the same file name as "
            + root.resolve("one/worker.jar"),
        "side by side in java/lib");
    // The same jar listed twice is no different.
    assertWorkerJarsRejected(root, "one/worker.jar,one/../one/worker.jar", "same file name");
  }

  @Test
  void reportsEveryBadWorkerJarAtOnce(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("notes.jar"), "text");
    assertWorkerJarsRejected(
        root, "gone.jar,notes.jar", "gone.jar does not exist", "notes.jar is not a readable jar");
  }

  @Test
  void rejectsAWorkerJarsValueThatIsNoListOfPaths(@TempDir Path root) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, List.of(1, 2)), root));
    assertTrue(
        e.getMessage().startsWith("hubspoke:workerJars must be a list of jar paths"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, "[\"a.jar\""), root));
    assertTrue(
        e.getMessage().startsWith("hubspoke:workerJars is not a valid JSON array"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, Map.of("a", 1)), root));
    assertTrue(
        e.getMessage().startsWith("hubspoke:workerJars must be a list of jar paths"),
        e.getMessage());
  }

  @Test
  void aMisspeltWorkerJarsKeyIsATypo() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of("hubspoke:workerJar", "a.jar")));
    assertTrue(e.getMessage().contains("did you mean 'hubspoke:workerJars'"), e.getMessage());
  }

  private static void assertWorkerJarsRejected(Path root, String value, String... fragments) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HubspokeConfig.fromMap(Map.of(HubspokeConfig.WORKER_JARS, value), root),
            value);
    assertTrue(e.getMessage().startsWith("hubspoke:workerJars: "), e.getMessage());
    assertTrue(
        e.getMessage().endsWith("correct hubspoke:workerJars in cdk.json or on the -c option"),
        e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }
  }
}
