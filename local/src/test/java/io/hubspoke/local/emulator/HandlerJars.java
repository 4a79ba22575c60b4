package io.hubspoke.local.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A jar of Java Lambda handlers, compiled here from the sources in test resources {@code
 * handlers/example/} (so the classes come from the jar, not from the test class path): {@code
 * example.WordCountHandler} (a RequestHandler; items "fail", "bad" and "slow" throw, throw {@code
 * BadItemNonRetryable}, and sleep) and {@code example.EchoStreamHandler} (a RequestStreamHandler).
 */
public final class HandlerJars {
  public static final String WORD_COUNT = "example.WordCountHandler";
  public static final String ECHO_STREAM = "example.EchoStreamHandler";
  public static final String NOT_A_HANDLER = "example.NotAHandler";

  private HandlerJars() {}

  public static Path build(Path work) {
    try {
      Path sources =
          Path.of(HandlerJars.class.getResource("/handlers/example/WordCountHandler.java").toURI())
              .getParent();
      Path classes = Files.createDirectories(work.resolve("handler-classes"));
      List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString()));
      args.addAll(List.of("-classpath", System.getProperty("java.class.path")));
      try (Stream<Path> files = Files.list(sources)) {
        files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
        throw new IllegalStateException("the test handlers do not compile");
      }
      Path jar = work.resolve("handlers.jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> files = Files.walk(classes)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(file));
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
