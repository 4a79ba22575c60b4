package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.infra.constructs.JavaFunction;
import io.hubspoke.infra.constructs.WorkerLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/**
 * The whole stack with {@code hubspoke:workerJars} set (as {@code -c} passes it, a path relative to
 * the repository root): one layer holding the jar under {@code java/lib/}, on the hub and the spoke
 * only. Without the key there is no layer at all ({@link FunctionsTest}).
 */
class WorkerJarsTest {
  /** Where the test's plug-in jar is built, relative to the repository root. */
  private static final String JAR = "infra/target/test-worker-jars/hello-worker.jar";

  private static final Path BUILT =
      TestJars.jar(
          Synth.REPO_ROOT.resolve(JAR).getParent(), "hello-worker.jar", "example.HelloWorker");
  private static final Synth.Result SYNTH =
      Synth.get("workerJars", Map.of(HubspokeConfig.WORKER_JARS, JAR));

  @Test
  void theContextKeyNamesTheJarFromTheRepositoryRoot() {
    assertEquals(List.of(BUILT), SYNTH.config().getWorkerJars());
  }

  @Test
  void oneLayerOnTheHubAndTheSpokeButNotTheCollector() {
    assertEquals(1, resources(SYNTH, "AWS::Lambda::LayerVersion").size());
    HubspokeStack stack = SYNTH.stack();
    WorkerLayer layer = stack.getWorkerLayer().orElseThrow();
    Map<String, Object> props = properties(SYNTH, SYNTH.logicalId(layer.getLayer()));
    assertEquals(List.of("java21"), props.get("CompatibleRuntimes"));
    assertEquals("hubspoke worker jars: hello-worker.jar", props.get("Description"));
    List<Object> layers = List.of(SYNTH.ref(layer.getLayer()));
    assertEquals(layers, layersOf(stack.getHub().getFunction()));
    assertEquals(layers, layersOf(stack.getSpoke().getFunction()));
    assertNull(layersOf(stack.getCollector().getFunction()), "the collector runs no worker");
  }

  @Test
  void theLayerAssetHoldsTheJarUnderJavaLib() throws Exception {
    WorkerLayer layer = SYNTH.stack().getWorkerLayer().orElseThrow();
    String s3Key = at(properties(SYNTH, SYNTH.logicalId(layer.getLayer())), "Content", "S3Key");
    Path outdir = Path.of(SYNTH.app().getOutdir());
    Map<String, Object> manifest =
        new ObjectMapper()
            .readValue(
                outdir.resolve(SYNTH.stack().getStackName() + ".assets.json").toFile(),
                new TypeReference<Map<String, Object>>() {});
    Map<String, Object> files = at(manifest, "files");
    Path found = null;
    for (Object entry : files.values()) {
      Map<String, Object> destinations = at(entry, "destinations");
      for (Object destination : destinations.values()) {
        if (s3Key.equals(at(destination, "objectKey"))) {
          // A directory the CDK CLI zips on publishing (a file asset is "file").
          assertEquals("zip", at(entry, "source", "packaging"));
          found = outdir.resolve((String) at(entry, "source", "path"));
        }
      }
    }
    assertTrue(found != null, "no asset for " + s3Key);
    Path asset = found;
    try (Stream<Path> walk = Files.walk(asset)) {
      assertEquals(
          List.of("java/lib/hello-worker.jar"),
          walk.filter(Files::isRegularFile)
              .map(p -> asset.relativize(p).toString().replace('\\', '/'))
              .sorted()
              .toList());
    }
    assertEquals(-1L, Files.mismatch(BUILT, asset.resolve("java/lib/hello-worker.jar")));
  }

  @Test
  void cdkNagFindsNothingUnsuppressed() {
    assertEquals(
        List.of(),
        Annotations.fromStack(SYNTH.stack()).findError("*", Match.anyValue()).stream()
            .map(m -> m.getId() + ": " + m.getEntry().getData())
            .toList());
    assertEquals(
        List.of(),
        Annotations.fromStack(SYNTH.stack()).findWarning("*", Match.anyValue()).stream()
            .map(m -> m.getId() + ": " + m.getEntry().getData())
            .toList());
  }

  private static Object layersOf(JavaFunction fn) {
    return properties(SYNTH, SYNTH.logicalId(fn.getFunction())).get("Layers");
  }
}
