package io.hubspoke.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * Small jars built on the fly for the worker-layer tests (no binary jar is committed): a manifest
 * and a {@code META-INF/services} entry naming a worker class, as a plug-in jar carries.
 */
public final class TestJars {
  private TestJars() {}

  /**
   * Writes {@code dir/name}, a valid jar with a compiled worker {@code workerClass}
   * (package-qualified) listed in its service entry. The worker's name is its simple class name in
   * lower case; its config takes one optional string, {@code greeting}; it echoes the item.
   */
  public static Path jar(Path dir, String name, String workerClass) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try {
      Files.createDirectories(dir);
      Path classes = Files.createTempDirectory(dir, "classes");
      compileWorker(workerClass, classes);
      Path jar = dir.resolve(name);
      try (OutputStream file = Files.newOutputStream(jar);
          JarOutputStream out = new JarOutputStream(file, manifest);
          Stream<Path> compiled = Files.walk(classes)) {
        // The class is a worker and an item source of the same name.
        for (String service : List.of("TaskWorker", "ItemSource")) {
          out.putNextEntry(new JarEntry("META-INF/services/io.hubspoke.worker." + service));
          out.write((workerClass + "\n").getBytes(StandardCharsets.UTF_8));
          out.closeEntry();
        }
        for (Path each : compiled.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(each).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(each));
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void compileWorker(String workerClass, Path classes) throws IOException {
    int dot = workerClass.lastIndexOf('.');
    String pkg = workerClass.substring(0, dot);
    String simple = workerClass.substring(dot + 1);
    String source =
        "package "
            + pkg
            + ";\n"
            + "import com.fasterxml.jackson.databind.JsonNode;\n"
            + "import io.hubspoke.contract.validation.FieldError;\n"
            + "import io.hubspoke.worker.*;\n"
            + "import java.util.List;\n"
            + "public class "
            + simple
            + " implements TaskWorker, ItemSource {\n"
            + "  public String name() { return \""
            + simple.toLowerCase(java.util.Locale.ROOT)
            + "\"; }\n"
            + "  public List<FieldError> validateConfig(JsonNode config) {\n"
            + "    JsonNode g = config.get(\"greeting\");\n"
            + "    return g == null || g.isTextual() ? List.of()\n"
            + "        : List.of(new FieldError(\"greeting\", \"must be a string\", \"quote it\"));\n"
            + "  }\n"
            + "  public TaskOutcome execute(TaskContext context) {\n"
            + "    return TaskOutcome.success(context.item());\n"
            + "  }\n"
            + "  public ItemPage page(SourceContext context) {\n"
            + "    return new ItemPage(List.of(), null);\n"
            + "  }\n"
            + "}\n";
    Path src = Files.createDirectories(classes.resolveSibling(classes.getFileName() + "-src"));
    Path file = src.resolve(simple + ".java");
    Files.writeString(file, source);
    int exit =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "--release",
                "17",
                "-d",
                classes.toString(),
                "-classpath",
                System.getProperty("java.class.path"),
                file.toString());
    if (exit != 0) {
      throw new IllegalStateException("the test worker " + workerClass + " did not compile");
    }
  }
}
