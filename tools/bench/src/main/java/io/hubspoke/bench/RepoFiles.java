package io.hubspoke.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Files of the repository the benchmark reads: prices, memory sizes, the Lambda jars. */
public final class RepoFiles {
  private final Path root;

  RepoFiles(Path root) {
    this.root = root;
  }

  /**
   * The repository root: the nearest ancestor of the working directory or the code with cdk.json
   * and functions/.
   */
  public static RepoFiles locate() {
    Optional<Path> fromCwd = findUp(Path.of("").toAbsolutePath());
    if (fromCwd.isPresent()) {
      return new RepoFiles(fromCwd.get());
    }
    try {
      Path code =
          Path.of(RepoFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return new RepoFiles(
          findUp(code)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "cannot find the hubspoke repository (cdk.json, functions/) above "
                              + Path.of("").toAbsolutePath()
                              + " or "
                              + code)));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Path> findUp(Path from) {
    for (Path p = from; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("cdk.json")) && Files.isDirectory(p.resolve("functions"))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  Path root() {
    return root;
  }

  Path costModel() {
    return root.resolve("docs/cost-model.md");
  }

  /** The CDK stack's memory size for a function ({@code hub}, {@code spoke}, {@code collector}). */
  int memoryMb(String function) {
    try {
      JsonNode cdk = Json.parse(Files.readString(root.resolve("cdk.json")));
      return cdk.path("context").path("hubspoke:" + function + "MemoryMb").asInt(1024);
    } catch (IOException e) {
      return 1024;
    }
  }

  /** {@code functions/<function>/target/hubspoke-<function>-*-lambda.jar}. */
  Path lambdaJar(String function) {
    Path target = root.resolve("functions").resolve(function).resolve("target");
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> jars =
          Files.newDirectoryStream(target, "hubspoke-" + function + "-*-lambda.jar")) {
        for (Path jar : jars) {
          return jar;
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "no "
            + target.resolve("hubspoke-" + function + "-*-lambda.jar")
            + ": build the functions first (mvn -B -ntp -pl local -am package -DskipTests)");
  }
}
