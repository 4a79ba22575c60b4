package io.hubspoke.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Small jars built on the fly for the worker-layer tests (no binary jar is committed): a manifest
 * and a {@code META-INF/services} entry naming a worker class, as a plug-in jar carries.
 */
public final class TestJars {
  private TestJars() {}

  /** Writes {@code dir/name}, a valid jar whose service entry names {@code workerClass}. */
  public static Path jar(Path dir, String name, String workerClass) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try {
      Files.createDirectories(dir);
      Path jar = dir.resolve(name);
      try (OutputStream file = Files.newOutputStream(jar);
          JarOutputStream out = new JarOutputStream(file, manifest)) {
        out.putNextEntry(new JarEntry("META-INF/services/io.hubspoke.worker.TaskWorker"));
        out.write((workerClass + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
