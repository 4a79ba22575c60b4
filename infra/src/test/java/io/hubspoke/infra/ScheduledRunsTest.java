package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.services.events.Rule;

class ScheduledRunsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TIME = "2026-11-23T02:00:00Z";

  @Test
  void eachScheduleIsARuleInvokingTheHubAlias() {
    Synth.Result synth = Synth.defaults();
    List<Rule> rules = synth.stack().getScheduledRuns().getRules();
    assertEquals(1, rules.size());
    Map<String, Object> rule = properties(synth, synth.logicalId(rules.get(0)));
    assertEquals("cron(0 2 * * ? *)", rule.get("ScheduleExpression"));
    assertEquals("ENABLED", rule.get("State"));
    Map<String, Object> target = at(rule, "Targets", 0);
    assertEquals(synth.ref(synth.stack().getHub().getAlias()), target.get("Arn"));
    assertEquals(
        Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 3600),
        target.get("RetryPolicy"));
    assertEquals(
        Map.of(
            "Arn", synth.getAtt(synth.stack().getEventBus().getDeliveryDeadLetterQueue(), "Arn")),
        target.get("DeadLetterConfig"));
  }

  @Test
  void inputTemplateCarriesTheRunRequestAndAnIdempotencyKeyPerFiring() throws Exception {
    Synth.Result synth = Synth.defaults();
    Map<String, Object> transformer =
        at(
            properties(synth, synth.logicalId(synth.stack().getScheduledRuns().getRules().get(0))),
            "Targets",
            0,
            "InputTransformer");
    assertEquals(Map.of("time", "$.time"), transformer.get("InputPathsMap"));
    Map<String, Object> event = render((String) transformer.get("InputTemplate"));

    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("worker", "echo");
    detail.put("items", List.of("a", "b"));
    detail.put("maxAttempts", 3);
    detail.put("idempotencyKey", "schedule-nightly-" + TIME);
    assertEquals(
        Map.of(
            "source",
            "hubspoke.schedule",
            "detail-type",
            "Scheduled Run",
            "time",
            TIME,
            "detail",
            detail),
        event);
  }

  @Test
  void schedulesGivenAsAStringOnTheCommandLine() throws Exception {
    Synth.Result custom = Synth.custom();
    List<Rule> rules = custom.stack().getScheduledRuns().getRules();
    assertEquals(2, rules.size());
    Map<String, Object> hourly = properties(custom, custom.logicalId(rules.get(0)));
    assertEquals("rate(1 hour)", hourly.get("ScheduleExpression"));
    Map<String, Object> event =
        render(at(hourly, "Targets", 0, "InputTransformer", "InputTemplate"));
    assertEquals(
        Map.of(
            "worker",
            "sleep",
            "workerConfig",
            Map.of("ms", 10),
            "items",
            List.of(Map.of("id", 1)),
            "idempotencyKey",
            "schedule-hourly-report-" + TIME),
        event.get("detail"));
    assertEquals(
        Map.of("MaximumRetryAttempts", 3, "MaximumEventAgeInSeconds", 600),
        at(hourly, "Targets", 0, "RetryPolicy"));
    assertEquals(
        "cron(0 6 ? * MON *)",
        properties(custom, custom.logicalId(rules.get(1))).get("ScheduleExpression"));
  }

  @Test
  void aScheduleNamingAnUnknownWorkerFailsTheSynthNamingTheScheduleFieldAndFix() {
    IllegalArgumentException e =
        synthWithSchedule(
            "{\"name\":\"nightly\",\"schedule\":\"rate(1 day)\","
                + "\"request\":{\"worker\":\"report\",\"items\":[1]}}");
    assertContains(e, "schedule 'nightly'");
    assertContains(e, "request.worker: unknown worker 'report'");
    assertContains(e, "name one of: echo, sleep, http");
  }

  @Test
  void everyProblemOfAScheduledRequestIsReportedAsTheHubWouldAnswerIt() {
    IllegalArgumentException e =
        synthWithSchedule(
            "{\"name\":\"nightly\",\"schedule\":\"rate(1 day)\","
                + "\"request\":{\"worker\":\"sleep\",\"workerConfig\":{\"ms\":-5},"
                + "\"itemz\":[1],\"maxAttempts\":99}}");
    assertContains(e, "schedule 'nightly'");
    assertContains(e, "request.itemz: unknown field");
    assertContains(e, "request.items: is required");
    assertContains(e, "request.workerConfig.ms");
    assertContains(e, "request.maxAttempts: is 99, out of range");
    assertContains(e, "give a whole number from 1 to 10");
  }

  @Test
  void aScheduleWhoseInputTemplateExceedsEventBridgesLimitFailsTheSynth() {
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      items.append(i == 0 ? "" : ",").append("\"item-number-").append(i).append("-of-many\"");
    }
    IllegalArgumentException e =
        synthWithSchedule(
            "{\"name\":\"big\",\"schedule\":\"rate(1 day)\","
                + "\"request\":{\"worker\":\"echo\",\"items\":["
                + items
                + "]}}");
    assertContains(e, "schedule 'big'");
    assertContains(e, "8192");
    assertContains(e, "request.items");
  }

  @Test
  void aScheduleNamingAPluginWorkerIsCheckedWithThePluginsOwnRules() {
    Path jar =
        TestJars.jar(
            Synth.REPO_ROOT.resolve("infra/target/schedule-plugin"),
            "greeter.jar",
            "example.Greeter");
    String schedule =
        "{\"name\":\"greet\",\"schedule\":\"rate(1 day)\","
            + "\"request\":{\"worker\":\"greeter\",\"workerConfig\":{\"greeting\":%s},\"items\":[1]}}";
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.put(HubspokeConfig.WORKER_JARS, jar.toString());
    context.put(HubspokeConfig.SCHEDULES, "[" + String.format(schedule, "\"hi\"") + "]");
    App accepted = new App(AppProps.builder().context(context).build());
    HubspokeApp.build(accepted, HubspokeApp.config(accepted), LambdaJars.in(Synth.REPO_ROOT));
    accepted.synth();

    IllegalArgumentException e =
        synth(Map.of(HubspokeConfig.WORKER_JARS, jar.toString()), String.format(schedule, "5"));
    assertContains(e, "schedule 'greet'");
    assertContains(e, "request.workerConfig.greeting: must be a string");
    assertContains(e, "quote it");
  }

  @Test
  void aScheduledRunMayDiscoverItsItemsAndItsSourceIsCheckedAsTheHubWould() {
    Path jar =
        TestJars.jar(
            Synth.REPO_ROOT.resolve("infra/target/schedule-source"),
            "greeter.jar",
            "example.Greeter");
    String schedule =
        "{\"name\":\"discover\",\"schedule\":\"rate(1 day)\",\"request\":{\"worker\":\"echo\","
            + "\"source\":%s}}";
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.put(HubspokeConfig.WORKER_JARS, jar.toString());
    context.put(HubspokeConfig.WORKER_FUNCTIONS, "lister");
    context.put(
        HubspokeConfig.SCHEDULES,
        "["
            + String.format(schedule, "{\"type\":\"range\",\"end\":50000}")
            + ","
            + String.format(schedule, "{\"type\":\"lambda\",\"function\":\"lister\"}")
                .replace("discover", "discover-fn")
            + ","
            + String.format(
                    schedule,
                    "{\"type\":\"worker\",\"name\":\"greeter\",\"config\":{\"greeting\":\"hi\"}}")
                .replace("discover", "discover-plugin")
            + "]");
    App accepted = new App(AppProps.builder().context(context).build());
    HubspokeApp.build(accepted, HubspokeApp.config(accepted), LambdaJars.in(Synth.REPO_ROOT));
    accepted.synth();

    Map<String, Object> base =
        Map.of(
            HubspokeConfig.WORKER_JARS, jar.toString(), HubspokeConfig.WORKER_FUNCTIONS, "lister");
    IllegalArgumentException plugin =
        synth(
            base,
            String.format(
                schedule,
                "{\"type\":\"worker\",\"name\":\"greeter\",\"config\":{\"greeting\":5}}"));
    assertContains(plugin, "request.source.config.greeting: must be a string");
    IllegalArgumentException function =
        synth(base, String.format(schedule, "{\"type\":\"lambda\",\"function\":\"other\"}"));
    assertContains(function, "request.source.function");
    IllegalArgumentException range =
        synth(base, String.format(schedule, "{\"type\":\"range\",\"end\":0}"));
    assertContains(range, "request.source.end");
  }

  @Test
  void aScheduleMayCallOnlyAListedWorkerFunction() {
    String schedule =
        "{\"name\":\"fn\",\"schedule\":\"rate(1 day)\",\"request\":{\"worker\":\"lambda\","
            + "\"workerConfig\":{\"function\":\"%s\"},\"items\":[1]}}";
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.put(HubspokeConfig.WORKER_FUNCTIONS, "wordcount");
    context.put(HubspokeConfig.SCHEDULES, "[" + String.format(schedule, "wordcount") + "]");
    App accepted = new App(AppProps.builder().context(context).build());
    HubspokeApp.build(accepted, HubspokeApp.config(accepted), LambdaJars.in(Synth.REPO_ROOT));
    accepted.synth();

    IllegalArgumentException e =
        synth(
            Map.of(HubspokeConfig.WORKER_FUNCTIONS, "wordcount"),
            String.format(schedule, "resize"));
    assertContains(e, "schedule 'fn'");
    assertContains(e, "request.workerConfig.function");
  }

  /** Builds the stack as HubspokeApp does, with one schedule given as -c passes it. */
  private static IllegalArgumentException synthWithSchedule(String schedule) {
    return synth(Map.of(), schedule);
  }

  private static IllegalArgumentException synth(Map<String, Object> extra, String schedule) {
    Map<String, Object> context = new HashMap<>(Synth.cdkJsonContext());
    context.putAll(extra);
    context.put(HubspokeConfig.SCHEDULES, "[" + schedule + "]");
    App app = new App(AppProps.builder().context(context).build());
    return assertThrows(
        IllegalArgumentException.class,
        () -> {
          HubspokeApp.build(app, HubspokeApp.config(app), LambdaJars.in(Synth.REPO_ROOT));
          app.synth();
        });
  }

  private static void assertContains(Exception e, String expected) {
    assertTrue(
        e.getMessage() != null && e.getMessage().contains(expected),
        "expected '" + expected + "' in: " + e.getMessage());
  }

  /**
   * Renders an input template as EventBridge does for an event whose {@code time} is {@link #TIME}:
   * a placeholder inside a JSON string is replaced by the raw value, one outside a string by the
   * value as JSON.
   */
  private static Map<String, Object> render(String template) throws Exception {
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '"' && (i == 0 || template.charAt(i - 1) != '\\')) {
        inString = !inString;
      }
      if (template.startsWith("<time>", i)) {
        out.append(inString ? TIME : JSON.writeValueAsString(TIME));
        i += "<time>".length() - 1;
      } else {
        out.append(c);
      }
    }
    return JSON.readValue(out.toString(), new TypeReference<Map<String, Object>>() {});
  }
}
