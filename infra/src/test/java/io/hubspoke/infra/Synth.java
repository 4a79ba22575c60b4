package io.hubspoke.infra;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/**
 * Synthesizes the app once per configuration and shares the result between test classes: the first
 * synthesis costs seconds (jsii starts node), later template queries are cheap.
 */
final class Synth {
  /** One synthesized app. */
  record Result(App app, HubspokeStack stack, HubspokeConfig config, Template template) {}

  private static final Map<String, Result> CACHE = new HashMap<>();

  private Synth() {}

  /** The stack with the default configuration (plus one schedule), nag checks applied. */
  static Result defaults() {
    return get(
        "defaults",
        Map.of(
            HubspokeConfig.SCHEDULES,
            java.util.List.of(
                Map.of(
                    "name",
                    "nightly",
                    "schedule",
                    "cron(0 2 * * ? *)",
                    "request",
                    Map.of("worker", "echo", "items", java.util.List.of("a", "b"))))));
  }

  static synchronized Result get(String name, Map<String, ?> context) {
    return CACHE.computeIfAbsent(name, n -> synth(n, context));
  }

  private static Result synth(String name, Map<String, ?> context) {
    Path outdir = Path.of(System.getProperty("hubspoke.testOutdir", "target/cdk-test-out"), name);
    App app =
        new App(
            AppProps.builder()
                .outdir(outdir.toString())
                .context(new HashMap<String, Object>(context))
                .build());
    HubspokeConfig config = HubspokeConfig.fromMap(context);
    LambdaJars jars =
        LambdaJars.in(Path.of(System.getProperty("hubspoke.repoRoot", "..")).toAbsolutePath());
    HubspokeStack stack = HubspokeApp.build(app, config, jars);
    Template template = Template.fromStack(stack);
    return new Result(app, stack, config, template);
  }
}
