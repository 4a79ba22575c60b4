package io.hubspoke.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.contract.Deployment;
import io.hubspoke.contract.SpokeLimits;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.workers.LambdaFunctionName;
import io.hubspoke.infra.constructs.ApiAuthorization;
import io.hubspoke.infra.constructs.ScheduledRun;
import io.hubspoke.infra.constructs.WorkerLayer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.RemovalPolicy;

/**
 * Every deploy-time setting of the stack, read from CDK context ({@code cdk.json} or {@code -c
 * key=value}) by the app and handed to the stack as props. Stacks and constructs never read the
 * environment or the context themselves.
 *
 * <p>Context values from {@code cdk.json} arrive as JSON values, those from {@code -c} as strings;
 * both are accepted.
 */
public final class HubspokeConfig {
  /** Context key prefix of every setting. */
  public static final String PREFIX = "hubspoke:";

  public static final String STACK_NAME = PREFIX + "stackName";
  public static final String HUB_MEMORY_MB = PREFIX + "hubMemoryMb";
  public static final String HUB_TIMEOUT_SECONDS = PREFIX + "hubTimeoutSeconds";
  public static final String SPOKE_MEMORY_MB = PREFIX + "spokeMemoryMb";
  public static final String SPOKE_TIMEOUT_SECONDS = PREFIX + "spokeTimeoutSeconds";
  public static final String COLLECTOR_MEMORY_MB = PREFIX + "collectorMemoryMb";
  public static final String COLLECTOR_TIMEOUT_SECONDS = PREFIX + "collectorTimeoutSeconds";
  public static final String SPOKE_BATCH_SIZE = PREFIX + "spokeBatchSize";
  public static final String SPOKE_BATCHING_WINDOW_SECONDS = PREFIX + "spokeBatchingWindowSeconds";
  public static final String SPOKE_MAX_CONCURRENCY = PREFIX + "spokeMaxConcurrency";
  public static final String MAX_RECEIVE_COUNT = PREFIX + "maxReceiveCount";
  public static final String LOG_RETENTION_DAYS = PREFIX + "logRetentionDays";
  public static final String TABLE_REMOVAL_POLICY = PREFIX + "tableRemovalPolicy";
  public static final String API_AUTHORIZATION = PREFIX + "apiAuthorization";
  public static final String API_THROTTLE_RATE_LIMIT = PREFIX + "apiThrottleRateLimit";
  public static final String API_THROTTLE_BURST_LIMIT = PREFIX + "apiThrottleBurstLimit";
  public static final String EVENT_RETRY_ATTEMPTS = PREFIX + "eventRetryAttempts";
  public static final String EVENT_MAX_AGE_SECONDS = PREFIX + "eventMaxAgeSeconds";
  public static final String SWEEP_SCHEDULE = PREFIX + "sweepSchedule";
  public static final String OLDEST_MESSAGE_ALARM_SECONDS = PREFIX + "oldestMessageAlarmSeconds";
  public static final String LEASE_GRACE_SECONDS = PREFIX + "leaseGraceSeconds";
  public static final String ALARM_EMAIL = PREFIX + "alarmEmail";
  public static final String SCHEDULES = ScheduledRun.CONTEXT_KEY;
  public static final String WORKER_JARS = PREFIX + "workerJars";
  public static final String WORKER_FUNCTIONS = PREFIX + "workerFunctions";
  public static final String REPO_ROOT = PREFIX + "repoRoot";
  public static final String NAG = PREFIX + "nag";

  /** Every key this class reads; unknown {@code hubspoke:} keys are rejected as typos. */
  public static final List<String> KEYS =
      List.of(
          STACK_NAME,
          HUB_MEMORY_MB,
          HUB_TIMEOUT_SECONDS,
          SPOKE_MEMORY_MB,
          SPOKE_TIMEOUT_SECONDS,
          COLLECTOR_MEMORY_MB,
          COLLECTOR_TIMEOUT_SECONDS,
          SPOKE_BATCH_SIZE,
          SPOKE_BATCHING_WINDOW_SECONDS,
          SPOKE_MAX_CONCURRENCY,
          MAX_RECEIVE_COUNT,
          LOG_RETENTION_DAYS,
          TABLE_REMOVAL_POLICY,
          API_AUTHORIZATION,
          API_THROTTLE_RATE_LIMIT,
          API_THROTTLE_BURST_LIMIT,
          EVENT_RETRY_ATTEMPTS,
          EVENT_MAX_AGE_SECONDS,
          SWEEP_SCHEDULE,
          OLDEST_MESSAGE_ALARM_SECONDS,
          LEASE_GRACE_SECONDS,
          ALARM_EMAIL,
          SCHEDULES,
          WORKER_JARS,
          WORKER_FUNCTIONS,
          REPO_ROOT,
          NAG);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RATE =
      Pattern.compile("rate\\((\\d{1,9}) (minutes?|hours?|days?)\\)");
  private static final int ONE_DAY_SECONDS = 86_400;

  private final String stackName;
  private final FunctionSettings hub;
  private final FunctionSettings spoke;
  private final FunctionSettings collector;
  private final int spokeBatchSize;
  private final int spokeBatchingWindowSeconds;
  private final int spokeMaxConcurrency;
  private final int maxReceiveCount;
  private final int logRetentionDays;
  private final RemovalPolicy tableRemovalPolicy;
  private final ApiAuthorization apiAuthorization;
  private final int apiThrottleRateLimit;
  private final int apiThrottleBurstLimit;
  private final int eventRetryAttempts;
  private final int eventMaxAgeSeconds;
  private final String sweepSchedule;
  private final int oldestMessageAlarmSeconds;
  private final int leaseGraceSeconds;
  private final String alarmEmail;
  private final List<ScheduledRun> schedules;
  private final List<Path> workerJars;
  private final List<LambdaFunctionName> workerFunctions;
  private final boolean nag;

  /** Memory and timeout of one function. */
  public record FunctionSettings(int memoryMb, int timeoutSeconds) {
    public FunctionSettings {
      if (memoryMb < 128 || memoryMb > 10240) {
        throw new IllegalArgumentException("memory must be 128..10240 MB, got " + memoryMb);
      }
      if (timeoutSeconds < 1 || timeoutSeconds > 900) {
        throw new IllegalArgumentException("timeout must be 1..900 s, got " + timeoutSeconds);
      }
    }
  }

  private HubspokeConfig(Function<String, Object> context, Path repoRoot) {
    this.stackName = string(context, STACK_NAME, "Hubspoke");
    this.hub =
        new FunctionSettings(
            integer(context, HUB_MEMORY_MB, 1024),
            integer(context, HUB_TIMEOUT_SECONDS, Deployment.DEFAULT_HUB_TIMEOUT_SECONDS));
    this.spoke =
        new FunctionSettings(
            integer(context, SPOKE_MEMORY_MB, 1024),
            integer(context, SPOKE_TIMEOUT_SECONDS, Deployment.DEFAULT_SPOKE_TIMEOUT_SECONDS));
    this.collector =
        new FunctionSettings(
            integer(context, COLLECTOR_MEMORY_MB, 1024),
            integer(
                context, COLLECTOR_TIMEOUT_SECONDS, Deployment.DEFAULT_COLLECTOR_TIMEOUT_SECONDS));
    this.spokeBatchSize = integer(context, SPOKE_BATCH_SIZE, Deployment.DEFAULT_SPOKE_BATCH_SIZE);
    this.spokeBatchingWindowSeconds = integer(context, SPOKE_BATCHING_WINDOW_SECONDS, 0);
    this.spokeMaxConcurrency = integer(context, SPOKE_MAX_CONCURRENCY, 50);
    this.maxReceiveCount =
        integer(context, MAX_RECEIVE_COUNT, Deployment.DEFAULT_MAX_RECEIVE_COUNT);
    this.logRetentionDays = integer(context, LOG_RETENTION_DAYS, 30);
    this.tableRemovalPolicy = removalPolicy(string(context, TABLE_REMOVAL_POLICY, "retain"));
    this.apiAuthorization =
        ApiAuthorization.valueOf(
            string(context, API_AUTHORIZATION, "iam").toUpperCase(java.util.Locale.ROOT));
    this.apiThrottleRateLimit = integer(context, API_THROTTLE_RATE_LIMIT, 50);
    this.apiThrottleBurstLimit = integer(context, API_THROTTLE_BURST_LIMIT, 100);
    this.eventRetryAttempts = integer(context, EVENT_RETRY_ATTEMPTS, 8);
    this.eventMaxAgeSeconds = integer(context, EVENT_MAX_AGE_SECONDS, 3600);
    this.sweepSchedule = string(context, SWEEP_SCHEDULE, "rate(5 minutes)");
    this.oldestMessageAlarmSeconds = integer(context, OLDEST_MESSAGE_ALARM_SECONDS, 900);
    this.alarmEmail = string(context, ALARM_EMAIL, null);
    this.schedules = schedules(context.apply(SCHEDULES));
    this.workerJars = workerJars(context.apply(WORKER_JARS), repoRoot);
    this.workerFunctions = workerFunctions(context.apply(WORKER_FUNCTIONS));
    this.nag = bool(context, NAG, true);
    this.leaseGraceSeconds =
        integer(context, LEASE_GRACE_SECONDS, Deployment.DEFAULT_LEASE_GRACE_SECONDS);
    validate();
    checkWhatASpokeCanRun();
    validateLeases();
    validateSweepSchedule();
  }

  /** The defaults, as if the context were empty. */
  public static HubspokeConfig defaults() {
    return fromMap(Map.of());
  }

  /**
   * Reads every setting from {@code context}, the whole context of the app (e.g. {@code
   * app.getNode().getAllContext()}), falling back to the documented defaults; relative paths are
   * resolved against the working directory. A key that starts with {@code hubspoke:} (in any case)
   * and is not one of {@link #KEYS} is rejected as a typo; other keys (CDK feature flags, other
   * tools') are left alone.
   */
  public static HubspokeConfig fromMap(Map<String, ?> context) {
    return fromMap(context, Path.of(""));
  }

  /**
   * As {@link #fromMap(Map)}, with relative paths in the context (the worker jars) resolved against
   * {@code repoRoot}, the repository root where {@code cdk synth} runs.
   */
  public static HubspokeConfig fromMap(Map<String, ?> context, Path repoRoot) {
    rejectUnknownKeys(context.keySet());
    return new HubspokeConfig(context::get, repoRoot.toAbsolutePath().normalize());
  }

  private void validate() {
    if (spokeBatchSize < 1 || spokeBatchSize > Deployment.MAX_EVENT_SOURCE_BATCH_SIZE) {
      throw new IllegalArgumentException("spokeBatchSize must be 1..10000: " + spokeBatchSize);
    }
    if (spokeBatchingWindowSeconds < 0
        || spokeBatchingWindowSeconds > Deployment.MAX_BATCHING_WINDOW_SECONDS) {
      throw new IllegalArgumentException(
          "spokeBatchingWindowSeconds must be 0..300: " + spokeBatchingWindowSeconds);
    }
    if (Deployment.needsBatchingWindow(spokeBatchSize) && spokeBatchingWindowSeconds == 0) {
      throw new IllegalArgumentException(
          "a spokeBatchSize above 10 needs a spokeBatchingWindowSeconds of at least 1");
    }
    if (!Deployment.isValidMaximumConcurrency(spokeMaxConcurrency)) {
      throw new IllegalArgumentException(
          "spokeMaxConcurrency must be 2..1000: " + spokeMaxConcurrency);
    }
    if (maxReceiveCount < Deployment.MIN_MAX_RECEIVE_COUNT
        || maxReceiveCount > Deployment.MAX_MAX_RECEIVE_COUNT) {
      throw new IllegalArgumentException(
          "maxReceiveCount must be 5..1000 (receives from throttled invocations count too): "
              + maxReceiveCount);
    }
    if (workQueueVisibilityTimeoutSeconds() > Deployment.MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "6 x spokeTimeoutSeconds + spokeBatchingWindowSeconds exceeds SQS's 12 h visibility");
    }
    if (apiThrottleRateLimit < 1 || apiThrottleBurstLimit < 1) {
      throw new IllegalArgumentException("API throttling limits must be positive");
    }
    if (eventRetryAttempts < 0 || eventRetryAttempts > 185) {
      throw new IllegalArgumentException("eventRetryAttempts must be 0..185");
    }
    if (eventMaxAgeSeconds < 60 || eventMaxAgeSeconds > 86_400) {
      throw new IllegalArgumentException("eventMaxAgeSeconds must be 60..86400");
    }
    if (oldestMessageAlarmSeconds < 60) {
      throw new IllegalArgumentException("oldestMessageAlarmSeconds must be at least 60");
    }
    LogRetention.of(logRetentionDays); // one of the periods CloudWatch Logs offers
    if (!stackName.matches("[A-Za-z][A-Za-z0-9-]{0,127}")) {
      throw new IllegalArgumentException("invalid stack name: " + stackName);
    }
  }

  /**
   * Checks the settings that together decide how long a spoke may hold a task against the queue
   * that delivers it: SQS must not make a message visible again while a lease on its task can be
   * live (a second spoke would find the task leased and acknowledge the message, leaving the task
   * to the sweep), and a throttled task's re-send, delayed past its lease, must fit SQS's delay.
   */
  private void validateLeases() {
    if (leaseGraceSeconds < 0) {
      throw new IllegalArgumentException(
          LEASE_GRACE_SECONDS + " must be 0 or more seconds, got " + leaseGraceSeconds);
    }
    int longestDelay = Limits.MAX_TASK_TIMEOUT_SECONDS + leaseGraceSeconds + 1;
    if (longestDelay > SpokeLimits.MAX_DELAY_SECONDS) {
      throw new IllegalArgumentException(
          LEASE_GRACE_SECONDS
              + " is "
              + leaseGraceSeconds
              + ": a throttled task is sent again delayed past its lease (task timeout up to "
              + Limits.MAX_TASK_TIMEOUT_SECONDS
              + " s + the grace + 1 s = "
              + longestDelay
              + " s), and SQS delays a message at most "
              + SpokeLimits.MAX_DELAY_SECONDS
              + " s; set it to at most "
              + (SpokeLimits.MAX_DELAY_SECONDS - Limits.MAX_TASK_TIMEOUT_SECONDS - 1));
    }
    // From its receive, a message waits out the batching window, then the task runs until its
    // deadline (at most the spoke's timeout, or the longest task timeout), then the grace.
    int window = spokeBatchingWindowSeconds;
    int deadline = Math.min(spoke.timeoutSeconds(), Limits.MAX_TASK_TIMEOUT_SECONDS);
    int longestHold = window + deadline + leaseGraceSeconds;
    int visibility = workQueueVisibilityTimeoutSeconds();
    if (visibility <= longestHold) {
      // visibility - hold = 6t + w - (w + t + g) = 5t - g, positive from t = g / 5 + 1.
      throw new IllegalArgumentException(
          "the work queue's visibility timeout (6 x "
              + SPOKE_TIMEOUT_SECONDS
              + " + "
              + SPOKE_BATCHING_WINDOW_SECONDS
              + " = "
              + visibility
              + " s) must exceed the longest a spoke can hold a task from its receive (batching"
              + " window "
              + window
              + " s + task deadline "
              + deadline
              + " s + "
              + LEASE_GRACE_SECONDS
              + " "
              + leaseGraceSeconds
              + " s = "
              + longestHold
              + " s), or SQS redelivers a message whose task is still leased; raise "
              + SPOKE_TIMEOUT_SECONDS
              + " to at least "
              + (leaseGraceSeconds / 5 + 1)
              + " or lower "
              + LEASE_GRACE_SECONDS
              + " below "
              + (visibility - window - deadline));
    }
  }

  /**
   * Checks the spoke's settings against what one spoke invocation can run ({@link SpokeLimits}).
   */
  private void checkWhatASpokeCanRun() {
    if (spokeBatchSize > SpokeLimits.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          SPOKE_BATCH_SIZE
              + " is "
              + spokeBatchSize
              + ", more than the "
              + SpokeLimits.MAX_BATCH_SIZE
              + " messages a spoke works on at once (two threads each; Lambda allows "
              + SpokeLimits.LAMBDA_THREADS
              + " per environment): set it to "
              + SpokeLimits.MAX_BATCH_SIZE
              + " or less");
    }
    int spokeTimeout = spoke.timeoutSeconds();
    int grace = leaseGraceSeconds;
    int maxTaskTimeout = SpokeLimits.maxTaskTimeoutSeconds(spokeTimeout, grace);
    if (maxTaskTimeout < 1) {
      throw new IllegalArgumentException(
          SPOKE_TIMEOUT_SECONDS
              + " is "
              + spokeTimeout
              + ": that leaves a task no time once "
              + SpokeLimits.commitReserveSeconds(spokeTimeout)
              + " s are kept to record the outcome; give the spoke at least 2 s");
    }
    // The visibility timeout against the longest lease: validateLeases.
    for (ScheduledRun run : schedules) {
      if (run.request().get("taskTimeoutSeconds") instanceof Number asked
          && asked.doubleValue() > maxTaskTimeout) {
        throw new IllegalArgumentException(
            SCHEDULES
                + ": schedule '"
                + run.name()
                + "' asks taskTimeoutSeconds "
                + asked
                + ", but "
                + SpokeLimits.whyMaxTaskTimeout(spokeTimeout, grace)
                + ": give at most "
                + maxTaskTimeout
                + ", or raise "
                + SPOKE_TIMEOUT_SECONDS);
      }
    }
  }

  /**
   * The sweep's schedule must be one EventBridge accepts: its alarm's window is derived from it.
   */
  private void validateSweepSchedule() {
    if (sweepSchedule.startsWith("cron(") && sweepSchedule.endsWith(")")) {
      return;
    }
    Matcher rate = RATE.matcher(sweepSchedule);
    if (!rate.matches()) {
      throw new IllegalArgumentException(
          SWEEP_SCHEDULE
              + " must be rate(<n> minutes|hours|days) or cron(...), got '"
              + sweepSchedule
              + "'; e.g. rate(5 minutes)");
    }
    long value = Long.parseLong(rate.group(1));
    boolean plural = rate.group(2).endsWith("s");
    if (value < 1 || (value == 1) == plural) {
      throw new IllegalArgumentException(
          SWEEP_SCHEDULE
              + " '"
              + sweepSchedule
              + "': EventBridge wants a value of at least 1, with a singular unit for 1 and a"
              + " plural one otherwise, e.g. rate(1 minute) or rate(5 minutes)");
    }
  }

  /**
   * How long the sweep may go without one invocation before its alarm fires: three intervals of a
   * {@code rate(...)} schedule (one missed firing is no alarm), at most a day (CloudWatch's longest
   * alarm period); a day for a {@code cron(...)} schedule.
   */
  public int sweepAlarmPeriodSeconds() {
    Matcher rate = RATE.matcher(sweepSchedule);
    if (!rate.matches()) {
      return ONE_DAY_SECONDS;
    }
    long unit =
        switch (rate.group(2).replaceFirst("s$", "")) {
          case "minute" -> 60;
          case "hour" -> 3600;
          default -> ONE_DAY_SECONDS;
        };
    return (int) Math.min(ONE_DAY_SECONDS, 3 * unit * Long.parseLong(rate.group(1)));
  }

  /**
   * The work queue's visibility timeout: 6 x the spoke timeout plus the batching window, as AWS
   * recommends for an SQS event source.
   */
  public int workQueueVisibilityTimeoutSeconds() {
    return Deployment.visibilityTimeoutSeconds(spoke.timeoutSeconds(), spokeBatchingWindowSeconds);
  }

  /**
   * Rejects every {@code hubspoke:} key that this class does not read, naming each with the valid
   * key closest to it: a misspelt key would otherwise be ignored and its default deployed.
   */
  static void rejectUnknownKeys(Collection<String> keys) {
    List<String> problems = new ArrayList<>();
    for (String key : new TreeSet<>(keys)) {
      if (key.toLowerCase(Locale.ROOT).startsWith(PREFIX) && !KEYS.contains(key)) {
        problems.add("'" + key + "' (did you mean '" + closestKey(key) + "'?)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown context key"
              + (problems.size() > 1 ? "s " : " ")
              + String.join(", ", problems)
              + ": correct the key in cdk.json or on the -c option; the valid keys are listed"
              + " under \"Configuration (CDK context)\" in README.md");
    }
  }

  /**
   * The key of {@link #KEYS} with the fewest edits from {@code key}, ignoring case; a key cut short
   * ({@code spokeTimeout} for {@code spokeTimeoutSeconds}) counts as one edit.
   */
  static String closestKey(String key) {
    String typed = key.toLowerCase(Locale.ROOT);
    String best = KEYS.get(0);
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : KEYS) {
      String known = candidate.toLowerCase(Locale.ROOT);
      int distance = editDistance(typed, known);
      if (typed.length() < known.length()) {
        distance = Math.min(distance, editDistance(typed, known.substring(0, typed.length())) + 1);
      }
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static RemovalPolicy removalPolicy(String value) {
    switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "retain":
        return RemovalPolicy.RETAIN;
      case "destroy":
        return RemovalPolicy.DESTROY;
      default:
        throw new IllegalArgumentException(
            TABLE_REMOVAL_POLICY + " must be retain or destroy, got " + value);
    }
  }

  private static String string(Function<String, Object> context, String key, String fallback) {
    Object value = context.apply(key);
    if (value == null) {
      return fallback;
    }
    String s = value.toString().trim();
    return s.isEmpty() ? fallback : s;
  }

  private static int integer(Function<String, Object> context, String key, int fallback) {
    Object value = context.apply(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n) {
      if (n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException(key + " must be a whole number, got " + value);
      }
      return n.intValue();
    }
    try {
      return Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got " + value, e);
    }
  }

  private static boolean bool(Function<String, Object> context, String key, boolean fallback) {
    Object value = context.apply(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String s = value.toString().trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException(key + " must be true or false, got " + value);
  }

  /**
   * Parses the {@code hubspoke:schedules} context value: a JSON array (from {@code cdk.json}) or a
   * string holding one (from {@code -c}), of {@code {"name", "schedule", "request"}} objects.
   */
  static List<ScheduledRun> schedules(Object value) {
    if (value == null) {
      return List.of();
    }
    Object parsed = value;
    if (value instanceof String s) {
      if (s.isBlank()) {
        return List.of();
      }
      try {
        parsed = JSON.readValue(s, Object.class);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(SCHEDULES + " is not valid JSON: " + e.getMessage(), e);
      }
    }
    // Round-trip through JSON: jsii hands over its own map and number types.
    List<Map<String, Object>> entries;
    try {
      entries =
          JSON.readValue(
              JSON.writeValueAsString(parsed), new TypeReference<List<Map<String, Object>>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          SCHEDULES + " must be a list of {name, schedule, request} objects", e);
    }
    List<ScheduledRun> runs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Map<String, Object> entry : entries) {
      Set<String> extra = new HashSet<>(entry.keySet());
      extra.removeAll(Set.of("name", "schedule", "request"));
      if (!extra.isEmpty()) {
        throw new IllegalArgumentException(
            SCHEDULES + ": unknown fields " + extra + " (expected name, schedule, request)");
      }
      Object name = entry.get("name");
      Object schedule = entry.get("schedule");
      Object request = entry.get("request");
      if (!(name instanceof String) || !(schedule instanceof String)) {
        throw new IllegalArgumentException(
            SCHEDULES + ": every entry needs a string name and a string schedule: " + entry);
      }
      if (!(request instanceof Map<?, ?> requestMap)) {
        throw new IllegalArgumentException(
            SCHEDULES + ": schedule '" + name + "' needs a JSON object as its request");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      requestMap.forEach((k, v) -> copy.put(k.toString(), v));
      if (!names.add((String) name)) {
        throw new IllegalArgumentException(SCHEDULES + ": duplicate schedule name " + name);
      }
      runs.add(new ScheduledRun((String) name, (String) schedule, copy));
    }
    return List.copyOf(runs);
  }

  /**
   * Parses and checks the {@code hubspoke:workerJars} context value: a JSON array of paths (from
   * {@code cdk.json}), or a string holding one or a comma-separated list (from {@code -c}). A
   * relative path is resolved against {@code repoRoot}. Every jar must be one {@link WorkerLayer}
   * can hold; all problems are reported together.
   */
  static List<Path> workerJars(Object value, Path repoRoot) {
    List<?> entries = list(WORKER_JARS, value, "jar paths", "[\"path/a.jar\", \"path/b.jar\"]");
    List<Path> jars = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof String path)) {
        throw new IllegalArgumentException(
            WORKER_JARS + " must be a list of jar paths (strings), got " + entry + " in " + value);
      }
      if (!path.isBlank()) {
        jars.add(repoRoot.resolve(path.trim()).normalize());
      }
    }
    List<String> problems = WorkerLayer.problems(jars);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          WORKER_JARS
              + ": "
              + String.join("; ", problems)
              + " (a relative path is resolved against the repository root "
              + repoRoot
              + "); correct "
              + WORKER_JARS
              + " in cdk.json or on the -c option");
    }
    return List.copyOf(jars);
  }

  public String getStackName() {
    return stackName;
  }

  public FunctionSettings getHub() {
    return hub;
  }

  public FunctionSettings getSpoke() {
    return spoke;
  }

  public FunctionSettings getCollector() {
    return collector;
  }

  public int getSpokeBatchSize() {
    return spokeBatchSize;
  }

  public int getSpokeBatchingWindowSeconds() {
    return spokeBatchingWindowSeconds;
  }

  public int getSpokeMaxConcurrency() {
    return spokeMaxConcurrency;
  }

  public int getMaxReceiveCount() {
    return maxReceiveCount;
  }

  public int getLogRetentionDays() {
    return logRetentionDays;
  }

  public RemovalPolicy getTableRemovalPolicy() {
    return tableRemovalPolicy;
  }

  public ApiAuthorization getApiAuthorization() {
    return apiAuthorization;
  }

  public int getApiThrottleRateLimit() {
    return apiThrottleRateLimit;
  }

  public int getApiThrottleBurstLimit() {
    return apiThrottleBurstLimit;
  }

  public int getEventRetryAttempts() {
    return eventRetryAttempts;
  }

  public int getEventMaxAgeSeconds() {
    return eventMaxAgeSeconds;
  }

  public String getSweepSchedule() {
    return sweepSchedule;
  }

  /** Seconds a spoke's lease outlasts its task deadline ({@code HUBSPOKE_LEASE_GRACE_SECONDS}). */
  public int getLeaseGraceSeconds() {
    return leaseGraceSeconds;
  }

  public int getOldestMessageAlarmSeconds() {
    return oldestMessageAlarmSeconds;
  }

  public Optional<String> getAlarmEmail() {
    return Optional.ofNullable(alarmEmail);
  }

  public List<ScheduledRun> getSchedules() {
    return schedules;
  }

  /**
   * The user's jars (plug-in workers and item sources) that go into the layer of the hub and the
   * spoke, absolute; empty for no layer.
   */
  /**
   * Reads a list-valued key: a JSON array (from {@code cdk.json}), or a string holding a JSON array
   * or a comma-separated list (from {@code -c}).
   */
  private static List<?> list(String key, Object value, String what, String example) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      String text = s.trim();
      if (text.startsWith("[")) {
        try {
          return JSON.readValue(text, List.class);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              key
                  + " is not a valid JSON array: "
                  + e.getOriginalMessage()
                  + "; give "
                  + example
                  + " or a comma-separated list",
              e);
        }
      }
      return List.of(text.split(","));
    }
    if (value instanceof Collection<?> c) {
      return List.copyOf(c);
    }
    throw new IllegalArgumentException(key + " must be a list of " + what + ", got " + value);
  }

  /**
   * Parses and checks {@code hubspoke:workerFunctions}: the functions the {@code lambda} worker may
   * invoke, as names, ARNs or partial ARNs, each optionally qualified. All problems are reported
   * together.
   */
  static List<LambdaFunctionName> workerFunctions(Object value) {
    List<?> entries =
        list(WORKER_FUNCTIONS, value, "function names or ARNs", "[\"resize\", \"report:live\"]");
    List<LambdaFunctionName> functions = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof String text)) {
        problems.add("'" + entry + "' is not a string");
        continue;
      }
      if (text.isBlank()) {
        continue;
      }
      try {
        functions.add(LambdaFunctionName.parse(text.trim()));
      } catch (LambdaFunctionName.InvalidFunctionNameException e) {
        problems.add("'" + text.trim() + "' " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          WORKER_FUNCTIONS
              + ": "
              + String.join("; ", problems)
              + "; "
              + LambdaFunctionName.FORMATS);
    }
    return List.copyOf(functions);
  }

  /** The functions the {@code lambda} worker may invoke; empty when none is listed. */
  public List<LambdaFunctionName> getWorkerFunctions() {
    return workerFunctions;
  }

  public List<Path> getWorkerJars() {
    return workerJars;
  }

  public boolean isNag() {
    return nag;
  }
}
