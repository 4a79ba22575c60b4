package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

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

  /**
   * A stream handler of this JVM, one made per execution environment by {@code handlers} (e.g. the
   * local runtime's spoke, invoked by the hub for push runs): the event's bytes in, the handler's
   * output back, an exception a function error as the Java runtime reports it.
   */
  static FunctionCode inProcess(Supplier<? extends RequestStreamHandler> handlers) {
    return function -> {
      RequestStreamHandler handler = handlers.get();
      return (event, context) -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
          handler.handleRequest(new ByteArrayInputStream(event), out, context);
        } catch (Exception | Error e) {
          return JavaHandlerFunctionCode.error(e);
        }
        return FunctionResponse.ok(out.toByteArray());
      };
    };
  }
}
