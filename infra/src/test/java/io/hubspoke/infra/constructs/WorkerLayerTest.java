package io.hubspoke.infra.constructs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.infra.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

class WorkerLayerTest {
  private final BareStack bare = new BareStack();

  @TempDir Path built;

  private WorkerLayer layer(Path... jars) {
    return new WorkerLayer(
        bare.stack, "WorkerLayer", WorkerLayer.Props.builder().jars(List.of(jars)).build());
  }

  @Test
  void oneLayerVersionForTheFunctionsRuntimeNamingItsJars() {
    WorkerLayer layer =
        layer(
            TestJars.jar(built, "sha256-worker.jar", "a.Sha256"),
            TestJars.jar(built.resolve("other"), "link-source.jar", "a.Links"));
    bare.template().resourceCountIs("AWS::Lambda::LayerVersion", 1);
    Map<String, Object> props = bare.properties(layer.getLayer());
    assertEquals(List.of("java21"), props.get("CompatibleRuntimes"));
    assertEquals(List.of("arm64"), props.get("CompatibleArchitectures"));
    assertEquals(
        "hubspoke worker jars: sha256-worker.jar, link-source.jar", props.get("Description"));
    assertTrue(props.get("Content").toString().contains("S3Key"), props.toString());
    Annotations.fromStack(bare.stack).hasNoWarning("*", Match.anyValue());
  }

  @Test
  void itsContentIsEachJarUnderJavaLibStagedInTheCloudAssembly() throws Exception {
    Path worker = TestJars.jar(built, "sha256-worker.jar", "a.Sha256");
    Path source = TestJars.jar(built.resolve("other"), "link-source.jar", "a.Links");
    WorkerLayer layer = layer(worker, source);
    Path assembly = Path.of(Stage.of(bare.stack).getOutdir()).toAbsolutePath();
    assertTrue(
        layer.getStagingDirectory().startsWith(assembly),
        layer.getStagingDirectory() + " is outside the assembly " + assembly);
    assertEquals(
        List.of("java/lib/link-source.jar", "java/lib/sha256-worker.jar"),
        files(layer.getStagingDirectory()));
    Path lib = layer.getStagingDirectory().resolve("java/lib");
    assertEquals(-1L, Files.mismatch(worker, lib.resolve("sha256-worker.jar")));
    assertEquals(-1L, Files.mismatch(source, lib.resolve("link-source.jar")));
  }

  @Test
  void stagingAgainReplacesWhatTheLastSynthLeft() throws Exception {
    Path old = TestJars.jar(built, "old-worker.jar", "a.Old");
    Path kept = TestJars.jar(built, "kept-worker.jar", "a.Kept");
    Path staging = built.resolve("staging");
    WorkerLayer.stage(List.of(old, kept), staging);
    WorkerLayer.stage(List.of(kept), staging);
    assertEquals(List.of("java/lib/kept-worker.jar"), files(staging));
  }

  @Test
  void theHubAndTheSpokeRunWithTheLayersTheirFunctionPropsName() {
    WorkerLayer layer = layer(TestJars.jar(built, "sha256-worker.jar", "a.Sha256"));
    FunctionProps hubProps = bare.functionProps("hub").layers(List.of(layer.getLayer())).build();
    HubFunction hub = new HubFunction(bare.stack, "HubFunction", hubProps);
    SpokeFunction spoke =
        new SpokeFunction(
            bare.stack,
            "SpokeFunction",
            SpokeFunction.Props.builder()
                .function(
                    FunctionProps.builder()
                        .jar(BareStack.jar("spoke"))
                        .table(hubProps.getTable())
                        .workQueue(hubProps.getWorkQueue())
                        .dispatchQueue(hubProps.getDispatchQueue())
                        .eventBus(hubProps.getEventBus())
                        .layers(List.of(layer.getLayer()))
                        .build())
                .build());
    Object layers = List.of(bare.ref(layer.getLayer()));
    assertEquals(layers, bare.properties(hub.getFunction().getFunction()).get("Layers"));
    assertEquals(layers, bare.properties(spoke.getFunction().getFunction()).get("Layers"));
  }

  @Test
  void aFunctionWithoutLayersNamesNone() {
    HubFunction hub = new HubFunction(bare.stack, "HubFunction", bare.functionProps("hub").build());
    assertNull(bare.properties(hub.getFunction().getFunction()).get("Layers"));
    bare.template().resourceCountIs("AWS::Lambda::LayerVersion", 0);
  }

  @Test
  void aLongListOfJarsIsCutShortInTheDescription() {
    List<Path> jars = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      jars.add(Path.of("/jars/a-rather-long-worker-name-number-" + i + ".jar"));
    }
    String description = WorkerLayer.description(jars);
    assertTrue(description.length() <= WorkerLayer.MAX_DESCRIPTION, description);
    assertTrue(
        description.startsWith("hubspoke worker jars: a-rather-long-worker-name-number-0.jar, "),
        description);
    assertTrue(description.matches(".*\\.jar and \\d+ more"), description);
    assertEquals(
        "hubspoke worker jars: a.jar", WorkerLayer.description(List.of(Path.of("/x/a.jar"))));
  }

  @Test
  void thePropsRefuseNoJarsAndJarsThatCannotLieSideBySide() {
    assertThrows(IllegalArgumentException.class, () -> WorkerLayer.Props.builder().build());
    Path one = TestJars.jar(built.resolve("one"), "worker.jar", "a.A");
    Path two = TestJars.jar(built.resolve("two"), "worker.jar", "b.B");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WorkerLayer.Props.builder().jar(one).jar(two).build());
    assertTrue(e.getMessage().contains("has the same file name as " + one), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WorkerLayer.Props.builder().jar(built.resolve("missing.jar")).build());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertFalse(WorkerLayer.problems(List.of(one)).iterator().hasNext());
  }

  /** Every file under {@code dir}, relative, with forward slashes, sorted. */
  private static List<String> files(Path dir) throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }
}
