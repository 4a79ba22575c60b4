package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.workers.LambdaWorkerConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A local function that is any program (the command function protocol, documented in
 * docs/local-runtime.md):
 *
 * <ul>
 *   <li>one process per invocation, started without a shell, in the runtime's working directory,
 *       with the runtime's environment plus {@code AWS_LAMBDA_FUNCTION_NAME}, {@code
 *       AWS_LAMBDA_FUNCTION_VERSION}, {@code AWS_LAMBDA_FUNCTION_TIMEOUT}, {@code AWS_REGION},
 *       {@code AWS_LAMBDA_REQUEST_ID} and {@code AWS_LAMBDA_DEADLINE_MS} (epoch milliseconds);
 *   <li>the event, JSON, on its standard input, which is then closed;
 *   <li>exit status 0: its standard output is the response (empty: {@code null});
 *   <li>any other status is a function error: a JSON object with {@code errorType} or {@code
 *       errorMessage} on standard output is the error payload as it is (so a program can name its
 *       error type and add {@code "retryable": false}); otherwise the error is {@code
 *       Runtime.ExitError} with standard error (its last 4 KB) as the message;
 *   <li>standard error goes to the function's log (the runtime's {@code --verbose} output);
 *   <li>at the function's timeout the process and its descendants are killed and the invocation
 *       fails with Lambda's {@code Task timed out} error.
 * </ul>
 */
final class CommandFunctionCode implements FunctionCode {
  /** The most of standard error an error message keeps: its end, where the reason usually is. */
  static final int MAX_STDERR_CHARS = 4096;

  /** Reads the processes' output: blocking reads, so not on the common pool. */
  private static final ExecutorService PIPES =
      Executors.newCachedThreadPool(new DaemonThreads("command-function-pipe"));

  private final List<String> command;

  CommandFunctionCode(List<String> command) {
    if (command.isEmpty() || command.get(0).isBlank()) {
      throw new IllegalArgumentException("a command function needs a program to run");
    }
    this.command = List.copyOf(command);
  }

  List<String> command() {
    return command;
  }

  @Override
  public ExecutionEnvironment newEnvironment(LocalFunction function) {
    return (event, context) -> run(function, event, context);
  }

  private FunctionResponse run(LocalFunction function, byte[] event, LocalLambdaContext context)
      throws IOException, InterruptedException, ExecutionException {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", context.getFunctionVersion());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(context.getMemoryLimitInMB()));
    env.put("AWS_LAMBDA_FUNCTION_TIMEOUT", Long.toString(function.timeout().toSeconds()));
    env.put("AWS_LAMBDA_REQUEST_ID", context.getAwsRequestId());
    env.put("AWS_LAMBDA_DEADLINE_MS", Long.toString(context.deadline().toEpochMilli()));
    env.put("AWS_REGION", context.region());
    env.put("AWS_DEFAULT_REGION", context.region());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return FunctionResponse.error(
          "Runtime.InvalidEntrypoint",
          "could not start " + String.join(" ", command) + ": " + e.getMessage());
    }
    try {
      CompletableFuture<byte[]> stdout =
          CompletableFuture.supplyAsync(
              () -> readCapped(process.getInputStream(), LambdaWorkerConfig.MAX_PAYLOAD_BYTES + 1),
              PIPES);
      CompletableFuture<String> stderr =
          CompletableFuture.supplyAsync(
              () -> logLines(process.getErrorStream(), line -> context.getLogger().log(line)),
              PIPES);
      writeEvent(process, event);
      int status = process.waitFor();
      byte[] out = stdout.get();
      String err = stderr.get();
      if (status == 0) {
        return FunctionResponse.ok(out.length == 0 ? "null".getBytes(StandardCharsets.UTF_8) : out);
      }
      if (isErrorObject(out)) {
        return FunctionResponse.errorPayload(out);
      }
      String message = err.strip();
      return FunctionResponse.error(
          "Runtime.ExitError",
          message.isEmpty() ? "the command exited with status " + status : message);
    } finally {
      // On a timeout the invocation thread is interrupted in waitFor: the process must not
      // outlive its invocation, as nothing outlives a Lambda invocation stopped at its timeout.
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
  }

  /**
   * The event goes in while the output is being read (on other threads), so a program that writes
   * before it has read all its input cannot block on a full pipe. A program that exits without
   * reading its input is not an error.
   */
  private static void writeEvent(Process process, byte[] event) {
    try (OutputStream in = process.getOutputStream()) {
      in.write(event);
    } catch (IOException e) {
      // the program closed its standard input early: it decides what that means
    }
  }

  private static boolean isErrorObject(byte[] out) {
    if (out.length == 0) {
      return false;
    }
    try {
      JsonNode node = Json.parse(new String(out, StandardCharsets.UTF_8));
      return node.isObject() && (node.has("errorType") || node.has("errorMessage"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads all of {@code in}, keeping at most {@code cap} bytes (enough to see it was too long). */
  private static byte[] readCapped(InputStream in, int cap) {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    try (in) {
      for (int n; (n = in.read(buffer)) != -1; ) {
        int room = cap - kept.size();
        if (room > 0) {
          kept.write(buffer, 0, Math.min(n, room));
        }
      }
    } catch (IOException e) {
      // the process was killed: what was read is all there is
    }
    return kept.toByteArray();
  }

  /** Sends each line to the log and returns the last {@link #MAX_STDERR_CHARS} characters. */
  private static String logLines(InputStream in, Consumer<String> log) {
    StringBuilder tail = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        log.accept(line);
        tail.append(line).append('\n');
        if (tail.length() > 2 * MAX_STDERR_CHARS) {
          tail.delete(0, tail.length() - MAX_STDERR_CHARS);
        }
      }
    } catch (IOException e) {
      // the process was killed
    }
    return tail.length() > MAX_STDERR_CHARS
        ? tail.substring(tail.length() - MAX_STDERR_CHARS)
        : tail.toString();
  }
}
