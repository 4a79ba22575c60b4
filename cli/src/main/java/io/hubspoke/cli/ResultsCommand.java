package io.hubspoke.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    description =
        "Prints a run's results as JSON Lines, one task a line: {\"taskId\",\"item\",\"result\"} (for --status FAILED: errorType and errorMessage instead), paging through all its tasks. Exit 0, 2 for an unknown run, a bad option or a refused request, 3 if the API is unreachable.")
final class ResultsCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_ID", description = "the run")
  String runId;

  @Option(
      names = "--status",
      description =
          "the tasks whose outcome to print (default ${DEFAULT-VALUE}); FAILED for the errors",
      defaultValue = "SUCCEEDED")
  String status;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    AtomicInteger count = new AtomicInteger();
    remote
        .client()
        .forEach(
            "/runs/" + runId + "/tasks",
            Map.of("status", status),
            "tasks",
            0,
            Map.of("runId", "RUN_ID", "status", "--status"),
            task -> {
              ObjectNode line = Json.object();
              line.set("taskId", task.get("taskId"));
              line.set("item", task.get("item"));
              for (String field : new String[] {"result", "errorType", "errorMessage"}) {
                if (task.has(field)) {
                  line.set(field, task.get(field));
                }
              }
              out.println(Json.write(line));
              count.incrementAndGet();
            });
    out.flush();
    spec.commandLine()
        .getErr()
        .println(count.get() + " " + status + " task" + (count.get() == 1 ? "" : "s"));
    return HubspokeCli.EXIT_SUCCEEDED;
  }
}
