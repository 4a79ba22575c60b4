package io.hubspoke.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.chaos.Soak;
import io.hubspoke.contract.api.Dispatch;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description =
        "Runs one run of N tasks through the local runtime (dispatched by queue, push, hybrid or pull, drawn from the seed or given) with every fault injected at rates drawn from the seed (and its mode's: lost push invocations, lost WorkAvailable deliveries, pull workers dying holding a lease or committing after it), operates on it while the faults go on (cancel at a random point and redrive, once or twice; redrive its failed tasks once it ended; or nothing), then checks the invariants (no task lost or committed twice, exact summary per round, at most maxConcurrency attempts at once). Exit 0 if every invariant holds, 1 if not.")
final class SoakCommand implements Callable<Integer> {
  @Option(
      names = "--tasks",
      description = "tasks in the run, 1-10000 (default ${DEFAULT-VALUE})",
      defaultValue = "2000")
  int tasks;

  @Option(
      names = "--seed",
      description = "decides the fault rates and schedule (default ${DEFAULT-VALUE})",
      defaultValue = "1")
  long seed;

  @Option(
      names = "--timeout",
      description = "seconds before giving up (default ${DEFAULT-VALUE})",
      defaultValue = "900")
  int timeoutSeconds;

  @Option(
      names = "--discover",
      description =
          "the hub discovers the items (a range source of --tasks numbers) instead of taking them")
  boolean discover;

  @Option(
      names = "--operations",
      description =
          "what the soak does to the run: random (drawn from the seed), none, redrive (its failed"
              + " tasks, once it ended), cancel-redrive (cancel at 20-70 %% of the tasks, then"
              + " redrive the failed and cancelled ones), cancel-redrive-twice (and cancel that"
              + " redrive, and redrive again) (default ${DEFAULT-VALUE})",
      defaultValue = "random")
  String operations;

  @Option(
      names = "--cap",
      description =
          "the run's maxConcurrency: a number, none, or seed (4, 8 or 16 on two seeds in three,"
              + " none on the others) (default ${DEFAULT-VALUE})",
      defaultValue = "seed")
  String cap;

  @Option(
      names = "--dispatch",
      description =
          "how the run's tasks reach their workers: queue, push, hybrid, pull (worked by pull"
              + " workers in this process, over the HTTP API), or random (drawn from the seed;"
              + " with a --cap number, queue or push) (default ${DEFAULT-VALUE})",
      defaultValue = "random")
  String dispatch;

  @Option(names = "--json", description = "print the figures as JSON")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tasks < 1 || tasks > Limits.MAX_ITEMS) {
      throw new UsageException("--tasks must be from 1 to " + Limits.MAX_ITEMS);
    }
    if (timeoutSeconds < 10) {
      throw new UsageException("--timeout must be at least 10 seconds");
    }
    Soak.Operations chosen;
    try {
      chosen = Soak.Operations.fromCliName(operations);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--operations: " + e.getMessage());
    }
    Soak.DispatchChoice mode;
    try {
      mode = Soak.DispatchChoice.fromCliName(dispatch);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--dispatch: " + e.getMessage());
    }
    int maxConcurrency = maxConcurrency();
    if (maxConcurrency > 0 && mode.given().map(Dispatch::claimsFromIndex).orElse(false)) {
      throw new UsageException(
          "--cap: a " + dispatch + " run takes no maxConcurrency; give --cap none or seed");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Soak.Result result =
        Soak.run(
            new Soak.Options(
                tasks,
                seed,
                Duration.ofSeconds(timeoutSeconds),
                discover,
                chosen,
                maxConcurrency,
                mode),
            line -> {
              if (!json) {
                err.println(line);
                err.flush();
              }
            });
    ObjectNode figures = result.toJson();
    if (json) {
      out.println(Json.write(figures));
    } else {
      figures
          .fields()
          .forEachRemaining(f -> out.printf(Locale.ROOT, "%-24s %s%n", f.getKey(), f.getValue()));
    }
    out.flush();
    return result.report().ok() ? HubspokeCli.EXIT_SUCCEEDED : HubspokeCli.EXIT_FAILED;
  }

  private int maxConcurrency() {
    if (cap.equals("none")) {
      return 0;
    }
    if (cap.equals("seed")) {
      return Soak.CAP_FROM_SEED;
    }
    try {
      int k = Integer.parseInt(cap);
      if (k >= 1) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--cap must be a number of at least 1, none or seed");
  }
}
