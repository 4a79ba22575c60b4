package io.hubspoke.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;

/**
 * The CDK app: reads the settings from CDK context, finds the Lambda jars, builds the stack and
 * checks it with cdk-nag (AwsSolutions and Serverless packs; an unsuppressed error fails the
 * synth). Run by {@code cdk synth}/{@code cdk deploy} through the {@code app} command of the
 * repository's {@code cdk.json}.
 */
public final class HubspokeApp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HubspokeApp() {}

  public static void main(String[] args) {
    AppProps.Builder appProps = AppProps.builder();
    // Run by the CDK CLI, the app writes where CDK_OUTDIR says; run by hand, into ./cdk.out.
    if (System.getenv("CDK_OUTDIR") == null) {
      appProps.outdir("cdk.out");
    }
    App app = new App(appProps.build());
    LambdaJars jars = lambdaJars(app);
    HubspokeConfig config = config(app, jars.getRepoRoot());
    build(app, config, jars);
    app.synth();
  }

  /**
   * The Lambda jars under the repository root: the {@code hubspoke:repoRoot} context value, or the
   * repository the working directory is in.
   */
  public static LambdaJars lambdaJars(App app) {
    Object root = app.getNode().tryGetContext(HubspokeConfig.REPO_ROOT);
    return root == null
        ? LambdaJars.findFrom(Path.of(""))
        : LambdaJars.in(Path.of(root.toString()));
  }

  /** {@link #config(App, Path)} with the repository root of {@link #lambdaJars(App)}. */
  public static HubspokeConfig config(App app) {
    return config(app, lambdaJars(app).getRepoRoot());
  }

  /**
   * The settings of {@code app}, from its whole context ({@code cdk.json} and {@code -c} values, as
   * the CDK CLI hands them over), so a misspelt {@code hubspoke:} key is rejected, not ignored;
   * relative paths (the worker jars) are resolved against {@code repoRoot}.
   */
  public static HubspokeConfig config(App app, Path repoRoot) {
    // jsii hands the context over as its own map and number types: plain Java values first.
    Map<String, Object> context =
        JSON.convertValue(app.getNode().getAllContext(), new TypeReference<>() {});
    return HubspokeConfig.fromMap(context == null ? Map.of() : context, repoRoot);
  }

  /** Adds the stack to {@code app} and, unless {@code hubspoke:nag} is false, the cdk-nag packs. */
  public static HubspokeStack build(App app, HubspokeConfig config, LambdaJars jars) {
    HubspokeStack stack =
        new HubspokeStack(
            app,
            config.getStackName(),
            HubspokeStack.Props.builder().config(config).jars(jars).build());
    if (config.isNag()) {
      addNagChecks(app);
    }
    return stack;
  }

  /** The cdk-nag packs every synth is checked against. */
  public static void addNagChecks(App app) {
    Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
    Aspects.of(app).add(ServerlessChecks.Builder.create().verbose(true).build());
  }
}
