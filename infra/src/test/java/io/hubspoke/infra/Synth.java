package io.hubspoke.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;

/**
 * Synthesizes the app once per configuration and shares the result between all test classes (they
 * run in one JVM): the first synthesis costs seconds because jsii starts node, queries on the
 * template are cheap. The context is the repository's {@code cdk.json} context plus overrides, so
 * the tests check the template {@code cdk synth} produces.
 */
final class Synth {
  /** One synthesized app. */
  record Result(App app, HubspokeStack stack, HubspokeConfig config, Template template) {
    /** The synthesized template as plain maps and lists. */
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
      return (Map<String, Object>) template.toJSON();
    }

    /** Logical id of the L1 resource behind {@code construct}. */
    String logicalId(IConstruct construct) {
      return TemplateJson.logicalId(stack, construct);
    }

    /** {@code {"Ref": <logical id>}} of {@code construct}. */
    Map<String, Object> ref(IConstruct construct) {
      return TemplateJson.ref(stack, construct);
    }

    /** {@code {"Fn::GetAtt": [<logical id>, attribute]}} of {@code construct}. */
    Map<String, Object> getAtt(IConstruct construct, String attribute) {
      return TemplateJson.getAtt(stack, construct, attribute);
    }

    /** Resolves a token (an ARN, a name) to its CloudFormation form. */
    Object resolve(Object value) {
      return stack.resolve(value);
    }
  }

  static final Path REPO_ROOT =
      Path.of(System.getProperty("hubspoke.repoRoot", "..")).toAbsolutePath().normalize();

  /** The schedule every default-configuration test sees (cdk.json itself has none). */
  static final Map<String, Object> NIGHTLY =
      Map.of(
          "name",
          "nightly",
          "schedule",
          "cron(0 2 * * ? *)",
          "request",
          Map.of("worker", "echo", "items", List.of("a", "b"), "maxAttempts", 3));

  private static final Map<String, Result> CACHE = new HashMap<>();

  private Synth() {}

  /** cdk.json's configuration plus one schedule, with the cdk-nag packs applied. */
  static Result defaults() {
    return get("defaults", Map.of(HubspokeConfig.SCHEDULES, List.of(NIGHTLY)));
  }

  /**
   * Every knob moved off its default (API authorization off included); values given as strings, as
   * {@code -c} passes them.
   */
  static Result custom() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put(HubspokeConfig.STACK_NAME, "HubspokeCustom");
    context.put(HubspokeConfig.HUB_MEMORY_MB, "2048");
    context.put(HubspokeConfig.HUB_TIMEOUT_SECONDS, "20");
    context.put(HubspokeConfig.SPOKE_MEMORY_MB, 512);
    context.put(HubspokeConfig.SPOKE_TIMEOUT_SECONDS, "100");
    context.put(HubspokeConfig.COLLECTOR_MEMORY_MB, 1536);
    context.put(HubspokeConfig.COLLECTOR_TIMEOUT_SECONDS, 600);
    context.put(HubspokeConfig.SPOKE_BATCH_SIZE, "50");
    context.put(HubspokeConfig.SPOKE_BATCHING_WINDOW_SECONDS, "5");
    context.put(HubspokeConfig.SPOKE_MAX_CONCURRENCY, "7");
    context.put(HubspokeConfig.MAX_RECEIVE_COUNT, "12");
    context.put(HubspokeConfig.LOG_RETENTION_DAYS, "14");
    context.put(HubspokeConfig.TABLE_REMOVAL_POLICY, "destroy");
    context.put(HubspokeConfig.API_AUTHORIZATION, "none");
    context.put(HubspokeConfig.API_THROTTLE_RATE_LIMIT, "5");
    context.put(HubspokeConfig.API_THROTTLE_BURST_LIMIT, "10");
    context.put(HubspokeConfig.EVENT_RETRY_ATTEMPTS, "3");
    context.put(HubspokeConfig.EVENT_MAX_AGE_SECONDS, "600");
    context.put(HubspokeConfig.SWEEP_SCHEDULE, "rate(10 minutes)");
    context.put(HubspokeConfig.OLDEST_MESSAGE_ALARM_SECONDS, "120");
    context.put(HubspokeConfig.ALARM_EMAIL, "ops@example.com");
    context.put(HubspokeConfig.LEASE_GRACE_SECONDS, "20");
    context.put(
        HubspokeConfig.SCHEDULES,
        "[{\"name\":\"hourly-report\",\"schedule\":\"rate(1 hour)\","
            + "\"request\":{\"worker\":\"sleep\",\"workerConfig\":{\"ms\":10},"
            + "\"items\":[{\"id\":1}]}},"
            + "{\"name\":\"weekly\",\"schedule\":\"cron(0 6 ? * MON *)\","
            + "\"request\":{\"worker\":\"echo\",\"items\":[\"all\"]}}]");
    context.put(HubspokeConfig.NAG, "true"); // as -c passes it
    return get("custom", context);
  }

  static synchronized Result get(String name, Map<String, ?> overrides) {
    return CACHE.computeIfAbsent(name, n -> synth(n, overrides));
  }

  /** The {@code context} object of the repository's cdk.json. */
  static Map<String, Object> cdkJsonContext() {
    try {
      Map<String, Object> cdkJson =
          new ObjectMapper()
              .readValue(
                  REPO_ROOT.resolve("cdk.json").toFile(),
                  new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      Map<String, Object> context = (Map<String, Object>) cdkJson.get("context");
      return context == null ? Map.of() : context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result synth(String name, Map<String, ?> overrides) {
    Map<String, Object> context = new HashMap<>(cdkJsonContext());
    context.putAll(overrides);
    Path outdir = Path.of(System.getProperty("hubspoke.testOutdir", "target/cdk-test-out"), name);
    App app = new App(AppProps.builder().outdir(outdir.toString()).context(context).build());
    // Read back through the app, as HubspokeApp does (unknown hubspoke: keys are rejected).
    HubspokeConfig config = HubspokeApp.config(app);
    HubspokeStack stack = HubspokeApp.build(app, config, LambdaJars.in(REPO_ROOT));
    Template template = Template.fromStack(stack);
    return new Result(app, stack, config, template);
  }
}
