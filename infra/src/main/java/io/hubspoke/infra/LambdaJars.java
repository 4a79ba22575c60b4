package io.hubspoke.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Finds the shaded Lambda jars {@code functions/<fn>/target/hubspoke-<fn>-<version>-lambda.jar}
 * that {@code mvn package} builds. The repository root is found by walking up from a start
 * directory (the working directory of {@code cdk synth} is the root, that of the tests is {@code
 * infra/}), or given explicitly.
 */
public final class LambdaJars {
  private final Path repoRoot;
  private final String version;

  private LambdaJars(Path repoRoot, String version) {
    this.repoRoot = repoRoot;
    this.version = version;
  }

  /** Jars under {@code repoRoot}, named with this module's own version. */
  public static LambdaJars in(Path repoRoot) {
    return new LambdaJars(repoRoot.toAbsolutePath().normalize(), projectVersion());
  }

  /** Walks up from {@code start} to the first directory holding {@code functions/hub/pom.xml}. */
  public static LambdaJars findFrom(Path start) {
    Path dir = start.toAbsolutePath().normalize();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("functions/hub/pom.xml"))) {
        return in(dir);
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no hubspoke repository (functions/hub/pom.xml) found at or above "
            + start.toAbsolutePath()
            + "; run from the repository or set the context key "
            + HubspokeConfig.REPO_ROOT);
  }

  /** The project version the jars carry in their names (filtered in at build time). */
  public static String projectVersion() {
    Properties properties = new Properties();
    try (InputStream in = LambdaJars.class.getResourceAsStream("/hubspoke-infra.properties")) {
      if (in == null) {
        throw new IllegalStateException("hubspoke-infra.properties is missing from the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = properties.getProperty("version");
    if (version == null || version.contains("${")) {
      throw new IllegalStateException("hubspoke-infra.properties was not filtered by Maven");
    }
    return version;
  }

  public Path getRepoRoot() {
    return repoRoot;
  }

  public String getVersion() {
    return version;
  }

  /** Path of one function's jar, which must exist. */
  public Path jar(String function) {
    Path jar =
        repoRoot.resolve(
            "functions/"
                + function
                + "/target/hubspoke-"
                + function
                + "-"
                + version
                + "-lambda.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " does not exist: build the Lambda jars first (mvn -B package -DskipTests from "
              + repoRoot
              + ", or let `npx cdk synth` do it)");
    }
    return jar;
  }

  public Path hub() {
    return jar("hub");
  }

  public Path spoke() {
    return jar("spoke");
  }

  public Path collector() {
    return jar("collector");
  }
}
