package io.hubspoke.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The {@code hubspoke} command line. */
@Command(
    name = "hubspoke",
    mixinStandardHelpOptions = true,
    version = "hubspoke 0.1.0",
    description = "Runs hubspoke fan-outs on this machine against real local engines.",
    subcommands = {RunCommand.class, ServeCommand.class, SoakCommand.class, BenchCommand.class})
public final class HubspokeCli implements Callable<Integer> {
  static final int EXIT_SUCCEEDED = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** The run could not be submitted (the API unreachable, or answering 5xx after retries). */
  static final int EXIT_NOT_SUBMITTED = 3;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return EXIT_USAGE;
  }

  public static void main(String[] args) {
    System.exit(
        execute(
            args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line; returns the exit code (for tests). */
  public static int execute(String[] args, InputStream stdin, PrintWriter out, PrintWriter err) {
    quietLogs(args);
    CommandLine cli = new CommandLine(new HubspokeCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("hubspoke: " + e.getMessage());
          if (e instanceof UsageException) {
            return EXIT_USAGE;
          }
          return e instanceof NotSubmittedException ? EXIT_NOT_SUBMITTED : EXIT_FAILED;
        });
    STDIN.set(stdin);
    return cli.execute(args);
  }

  private static final ThreadLocal<InputStream> STDIN = ThreadLocal.withInitial(() -> System.in);

  /** The standard input the command line was given (tests pass their own). */
  static InputStream stdin() {
    return STDIN.get();
  }

  /** The engines and the functions log to java.util.logging; keep the terminal for the run. */
  private static void quietLogs(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    Logger root = LogManager.getLogManager().getLogger("");
    root.setLevel(verbose ? Level.INFO : Level.SEVERE);
    for (var handler : root.getHandlers()) {
      handler.setLevel(verbose ? Level.INFO : Level.SEVERE);
    }
  }
}
