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
    version = HubspokeCli.VERSION,
    description = {
      "Runs hubspoke fan-outs on this machine against real local engines (run, serve, soak,"
          + " bench), and drives runs of a hub API, `hubspoke serve`'s or a deployed stack's"
          + " (--endpoint URL or --stack NAME; https and stacks are signed with SigV4): submit,"
          + " status, list, tasks, results, cancel, redrive, watch.",
      "Exit codes: 0 done (a followed run SUCCEEDED), 1 a followed run FAILED or was CANCELLED,"
          + " 2 usage errors and refused requests, 3 the API unreachable or failing."
    },
    subcommands = {
      RunCommand.class,
      ServeCommand.class,
      SubmitCommand.class,
      StatusCommand.class,
      ListCommand.class,
      TasksCommand.class,
      ResultsCommand.class,
      CancelCommand.class,
      RedriveCommand.class,
      WatchCommand.class,
      SoakCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class,
      VersionCommand.class
    })
public final class HubspokeCli implements Callable<Integer> {
  static final String VERSION = "hubspoke 0.1.0";

  static final int EXIT_SUCCEEDED = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /**
   * The API could not be reached, or answered 5xx (or 429) through the retries: a run could not be
   * submitted or looked at.
   */
  static final int EXIT_API_UNAVAILABLE = 3;

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
          return e instanceof ApiUnavailableException ? EXIT_API_UNAVAILABLE : EXIT_FAILED;
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
