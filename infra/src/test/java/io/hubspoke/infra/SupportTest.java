package io.hubspoke.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.infra.constructs.EventPatterns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.events.EventPattern;

/** Jar lookup and pattern conversion, without synthesizing anything. */
class SupportTest {
  @Test
  void findsTheRepositoryFromTheModuleDirectoryAndFromTheRoot() {
    Path root = Synth.REPO_ROOT;
    assertEquals(root, LambdaJars.findFrom(root.resolve("infra")).getRepoRoot());
    assertEquals(root, LambdaJars.findFrom(root).getRepoRoot());
    for (String fn : List.of("hub", "spoke", "collector")) {
      Path jar = LambdaJars.in(root).jar(fn);
      assertTrue(Files.isRegularFile(jar));
      assertEquals(
          "hubspoke-" + fn + "-" + LambdaJars.projectVersion() + "-lambda.jar",
          jar.getFileName().toString());
    }
  }

  @Test
  void aMissingJarSaysHowToBuildIt() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> LambdaJars.in(Path.of("/nonexistent")).hub());
    assertTrue(e.getMessage().contains("mvn"), e.getMessage());
  }

  @Test
  void eventPatternFromJson() {
    EventPattern pattern =
        EventPatterns.fromJson(
            "{\"source\":[\"s\"],\"detail-type\":[\"A\",\"B\"],\"detail\":{\"runId\":[{\"exists\":true}]}}");
    assertEquals(List.of("s"), pattern.getSource());
    assertEquals(List.of("A", "B"), pattern.getDetailType());
    assertEquals(Map.of("runId", List.of(Map.of("exists", true))), pattern.getDetail());
    assertThrows(
        IllegalArgumentException.class, () -> EventPatterns.fromJson("{\"colour\":[\"x\"]}"));
  }
}
