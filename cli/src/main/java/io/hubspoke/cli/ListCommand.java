package io.hubspoke.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "Lists the runs, newest first. Exit 0, 2 on a bad option or a refused request, 3 if the API is unreachable.")
final class ListCommand implements Callable<Integer> {
  @Option(
      names = "--status",
      paramLabel = "A,B",
      description = "only runs in these statuses, e.g. RUNNING,DISCOVERING or FAILED")
  String status;

  @Option(
      names = "--since",
      paramLabel = "T",
      description =
          "only runs created at or after T: an ISO-8601 instant (2026-11-30T08:00:00Z) or a date"
              + " (2026-11-30, UTC)")
  String since;

  @Option(
      names = "--limit",
      description = "at most this many runs, 0 for all (default ${DEFAULT-VALUE})",
      defaultValue = "25")
  int limit;

  @Option(names = "--json", description = "print each run as a line of JSON")
  boolean json;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Listing.checkLimit(limit);
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> query = new LinkedHashMap<>();
    if (status != null) {
      query.put("status", status);
    }
    if (since != null) {
      query.put("since", since);
    }
    HubApiClient client = remote.client();
    Listing listing =
        new Listing(
            out,
            json,
            "%-27s %-12s %-10s %7d  %-27s %s%n",
            "RUN",
            "STATUS",
            "WORKER",
            "TASKS",
            "CREATED",
            "COMPLETED");
    client.forEach(
        "/runs",
        query,
        "runs",
        limit,
        Map.of("status", "--status", "since", "--since"),
        run ->
            listing.row(
                run,
                run.path("runId").asText(),
                run.path("status").asText(),
                run.path("worker").asText(),
                run.path("total").asInt(),
                run.path("createdAt").asText(),
                run.path("completedAt").asText("-")));
    listing.end();
    return HubspokeCli.EXIT_SUCCEEDED;
  }
}
