package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Shows a run: its status and counts, and its summary once it has ended. Exit 0, 2 for an unknown run or a refused request, 3 if the API is unreachable.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_ID", description = "the run, as submit printed it")
  String runId;

  @Option(names = "--json", description = "print the run record as JSON")
  boolean json;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    JsonNode run = remote.client().run(runId);
    if (json) {
      out.println(Json.write(run));
    } else {
      SummaryTable.printRun(out, run);
    }
    out.flush();
    return HubspokeCli.EXIT_SUCCEEDED;
  }
}
