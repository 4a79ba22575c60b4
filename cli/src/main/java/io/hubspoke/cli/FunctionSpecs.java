package io.hubspoke.cli;

import io.hubspoke.contract.workers.LambdaFunctionName;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.LocalFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The local functions given with {@code --function}, which the local Lambda endpoint hosts and the
 * {@code lambda} worker may invoke:
 *
 * <ul>
 *   <li>{@code NAME=COMMAND}: a command function, e.g. {@code wordcount=python3
 *       examples/worker-python/handler.py} (split at spaces, run without a shell, one process per
 *       invocation);
 *   <li>{@code NAME=java:JAR:CLASS}: a Java {@code RequestHandler} or {@code RequestStreamHandler}
 *       class from a jar.
 * </ul>
 *
 * {@code NAME} may add aliases the function answers to besides {@code $LATEST}, e.g. {@code
 * wordcount:live=…}, so a run configured with {@code "function":"wordcount:live"} for AWS runs here
 * unchanged.
 */
final class FunctionSpecs {
  static final String JAVA_PREFIX = "java:";

  private FunctionSpecs() {}

  static List<LocalFunction> parse(List<String> specs) {
    List<LocalFunction> functions = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String spec : specs) {
      LocalFunction function = parse(spec);
      if (!names.add(function.name())) {
        throw new UsageException("--function: two functions are named " + function.name());
      }
      functions.add(function);
    }
    return functions;
  }

  static LocalFunction parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0 || eq == spec.length() - 1) {
      throw new UsageException(
          "--function "
              + spec
              + ": give NAME=COMMAND (e.g. wordcount='python3 examples/worker-python/handler.py')"
              + " or NAME=java:JAR:CLASS");
    }
    List<String> nameAndAliases = Arrays.asList(spec.substring(0, eq).split(":", -1));
    String name = nameAndAliases.get(0);
    String code = spec.substring(eq + 1).strip();
    LocalFunction.Builder function;
    try {
      LambdaFunctionName.parse(name);
      function = LocalFunction.builder(name, code(spec, code));
      nameAndAliases.subList(1, nameAndAliases.size()).forEach(function::alias);
      return function.build();
    } catch (LambdaFunctionName.InvalidFunctionNameException e) {
      throw new UsageException(
          "--function " + spec + ": '" + name + "' is not a function name: it " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--function " + spec + ": " + e.getMessage());
    }
  }

  private static FunctionCode code(String spec, String code) {
    if (code.startsWith(JAVA_PREFIX)) {
      int colon = code.lastIndexOf(':');
      Path jar =
          Path.of(code.substring(JAVA_PREFIX.length(), Math.max(JAVA_PREFIX.length(), colon)));
      String className = code.substring(colon + 1);
      if (colon < JAVA_PREFIX.length() || className.isBlank()) {
        throw new UsageException("--function " + spec + ": a Java function is NAME=java:JAR:CLASS");
      }
      if (!Files.isRegularFile(jar)) {
        throw new UsageException(
            "--function "
                + spec
                + ": "
                + jar
                + " is not a file: give the path of the handler's jar");
      }
      return FunctionCode.javaHandler(jar, className);
    }
    return FunctionCode.command(List.of(code.split("\\s+")));
  }
}
