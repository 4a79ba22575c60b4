package io.hubspoke.local.emulator;

import java.nio.file.Path;
import java.util.List;

/**
 * The code of a local function, as Lambda runs it: in execution environments, each made once (a
 * cold start) and then reused for one invocation at a time, and thrown away after a timeout.
 */
public interface FunctionCode {
  /** A new execution environment (a cold start); may throw, as a function's init may fail. */
  ExecutionEnvironment newEnvironment(LocalFunction function) throws Exception;

  /** One execution environment: one invocation at a time. */
  interface ExecutionEnvironment extends AutoCloseable {
    /**
     * Runs the function with {@code event}. Interrupted when the function times out: the
     * environment is then closed and never used again.
     */
    FunctionResponse invoke(byte[] event, LocalLambdaContext context) throws Exception;

    @Override
    default void close() {}
  }

  /**
   * Any program: one process per invocation, the event on its standard input, its standard output
   * the response; see {@link CommandFunctionCode} for the protocol.
   */
  static FunctionCode command(List<String> command) {
    return new CommandFunctionCode(command);
  }

  /**
   * A Java handler class ({@code RequestHandler} or {@code RequestStreamHandler}) from a jar, one
   * instance per execution environment, as Lambda's Java runtime runs it.
   */
  static FunctionCode javaHandler(Path jar, String className) {
    return new JavaHandlerFunctionCode(jar, className);
  }
}
