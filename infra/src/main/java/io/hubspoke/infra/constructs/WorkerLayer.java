package io.hubspoke.infra.constructs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import software.amazon.awscdk.Stage;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.constructs.Construct;

/**
 * The user's jars (plug-in workers and item sources, with what they need) as one Lambda layer, for
 * the hub and the spoke: the layer holds each jar under {@value #LIB}, and the Java runtimes put
 * {@code /opt/java/lib/*.jar} on the class path, where {@code ServiceLoader} finds them.
 *
 * <p>At synth the jars are copied into a directory of their own in the cloud assembly's output
 * directory (never in the source tree), which becomes the layer's asset: the layer version changes
 * exactly when a jar's content or name does.
 *
 * <p>The layer version keeps CDK's default removal policy (destroy): a replaced version is deleted
 * once the update succeeds, and the stack leaves none behind. Function versions published with it
 * keep it (Lambda keeps a deleted layer version for the functions that already use it).
 */
public class WorkerLayer extends Construct {
  /**
   * Where in the layer the jars go: Lambda mounts it as {@code /opt/java/lib}, on the class path.
   */
  public static final String LIB = "java/lib";

  /** CloudFormation's limit on a layer version's description. */
  static final int MAX_DESCRIPTION = 256;

  private final LayerVersion layer;
  private final Path stagingDirectory;

  public WorkerLayer(Construct scope, String id, Props props) {
    super(scope, id);
    this.stagingDirectory = stagingDirectory(this);
    stage(props.getJars(), stagingDirectory);
    this.layer =
        LayerVersion.Builder.create(this, "Layer")
            .code(Code.fromAsset(stagingDirectory.toString()))
            .compatibleRuntimes(List.of(JavaFunction.RUNTIME))
            .compatibleArchitectures(List.of(JavaFunction.ARCHITECTURE))
            .description(description(props.getJars()))
            .build();
  }

  /** The layer version, to attach to a function ({@link FunctionProps.Builder#layers}). */
  public LayerVersion getLayer() {
    return layer;
  }

  /** The directory the layer's content was staged into: {@value #LIB}/ and the jars in it. */
  public Path getStagingDirectory() {
    return stagingDirectory;
  }

  /**
   * Everything wrong with {@code jars} as the content of a worker layer, one problem per entry,
   * each naming the jar and what to do; empty when they are fine. A jar must exist, be a file whose
   * name ends in {@code .jar} (the runtime puts only those on the class path), open as a zip
   * archive, and have a file name no other jar has (they lie side by side in {@value #LIB}).
   */
  public static List<String> problems(List<Path> jars) {
    List<String> problems = new ArrayList<>();
    Map<String, Path> byName = new LinkedHashMap<>();
    for (Path jar : jars) {
      String name = jar.getFileName() == null ? "" : jar.getFileName().toString();
      if (!Files.exists(jar)) {
        problems.add(
            jar + " does not exist: build the jar first (e.g. mvn package) or fix the path");
        continue;
      }
      if (!Files.isRegularFile(jar)) {
        problems.add(jar + " is not a file: name the jar itself, e.g. target/my-worker-1.0.jar");
        continue;
      }
      if (!name.endsWith(".jar")) {
        problems.add(
            jar
                + " does not end in .jar: the Java runtime puts only /opt/java/lib/*.jar on the"
                + " class path; name the built jar");
        continue;
      }
      String unreadable = unreadableAsZip(jar);
      if (unreadable != null) {
        problems.add(
            jar + " is not a readable jar (" + unreadable + "): rebuild it or name the built jar");
        continue;
      }
      Path first = byName.putIfAbsent(name, jar);
      if (first != null) {
        problems.add(
            jar
                + " has the same file name as "
                + first
                + ": the layer holds the jars side by side in "
                + LIB
                + ", so list each jar once and rename one of two different jars");
      }
    }
    return problems;
  }

  private static String unreadableAsZip(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.size() == 0 ? "an empty archive" : null;
    } catch (ZipException e) {
      return "not a zip archive: " + e.getMessage();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The jars' names, as many as CloudFormation's limit on the description leaves room for. */
  static String description(List<Path> jars) {
    String prefix = "hubspoke worker jars: ";
    List<String> names = jars.stream().map(jar -> jar.getFileName().toString()).toList();
    for (int shown = names.size(); shown > 0; shown--) {
      String more = shown == names.size() ? "" : " and " + (names.size() - shown) + " more";
      String text = prefix + String.join(", ", names.subList(0, shown)) + more;
      if (text.length() <= MAX_DESCRIPTION) {
        return text;
      }
    }
    return prefix + names.size() + " jars";
  }

  /**
   * A directory of the cloud assembly, which CDK owns (so emptying it deletes nothing of the
   * user's), named after the construct (so the next synth replaces it).
   */
  private static Path stagingDirectory(Construct construct) {
    Stage stage = Stage.of(construct);
    if (stage == null) {
      throw new IllegalStateException("a WorkerLayer must be built inside an App or a Stage");
    }
    return Path.of(stage.getAssetOutdir())
        .toAbsolutePath()
        .resolve("worker-layer-" + construct.getNode().getAddr());
  }

  /** Empties {@code directory}, then copies each jar into its {@value #LIB}. */
  static void stage(List<Path> jars, Path directory) {
    try {
      if (Files.exists(directory)) {
        try (Stream<Path> old = Files.walk(directory)) {
          for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
      Path lib = Files.createDirectories(directory.resolve(LIB));
      for (Path jar : jars) {
        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the worker layer in " + directory, e);
    }
  }

  /** Settings of {@link WorkerLayer}. */
  public static final class Props {
    private final List<Path> jars;

    private Props(Builder b) {
      this.jars = b.jars.stream().map(p -> p.toAbsolutePath().normalize()).toList();
      if (jars.isEmpty()) {
        throw new IllegalArgumentException("a WorkerLayer needs at least one jar");
      }
      List<String> problems = problems(jars);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("worker jars: " + String.join("; ", problems));
      }
    }

    public static Builder builder() {
      return new Builder();
    }

    /** The jars, absolute, in the order given. */
    public List<Path> getJars() {
      return jars;
    }

    public static final class Builder {
      private final List<Path> jars = new ArrayList<>();

      /** Adds jars to the layer (see {@link WorkerLayer#problems} for what each must be). */
      public Builder jars(List<Path> jars) {
        jars.forEach(jar -> this.jars.add(Objects.requireNonNull(jar, "jar")));
        return this;
      }

      /** Adds one jar to the layer. */
      public Builder jar(Path jar) {
        return jars(List.of(jar));
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
