package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description =
        "Cancels a run: from now on none of its tasks starts; running ones finish, then it ends CANCELLED. Cancelling again does nothing. Exit 0 (with --watch: 1 once it has ended CANCELLED, 0 if it SUCCEEDED meanwhile), 2 for an unknown or ended run or a refused request, 3 if the API is unreachable.")
final class CancelCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_ID", description = "the run")
  String runId;

  @CommandLine.Mixin WatchOptions follow;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HubApiClient client = remote.client();
    String request = "/runs/" + runId;
    // Cancelling is idempotent, so a lost answer may be asked again.
    HubApiClient.Reply reply = client.retried("DELETE", request, null);
    if (reply.status() == 409) {
      throw new UsageException(
          "run "
              + runId
              + " has already ended, nothing is left to cancel ("
              + reply.message()
              + "); `hubspoke status "
              + runId
              + "` shows how it ended");
    }
    JsonNode run = client.expect(reply, "DELETE " + request, Map.of("runId", "RUN_ID"));
    String said =
        (reply.status() == 200
                ? "run " + runId + " was already being cancelled"
                : "run " + runId + " is cancelled: no task starts any more; running ones finish")
            + " (status "
            + run.path("status").asText()
            + ")";
    return RunFollower.reportOrFollow(client, run, said, follow.watch, follow.json, out, err);
  }
}
