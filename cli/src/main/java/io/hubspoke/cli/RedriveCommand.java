package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "redrive",
    mixinStandardHelpOptions = true,
    description =
        "Runs a finished run's FAILED and CANCELLED tasks (or --statuses) again, under the same run id: attempts start over, the history is kept, and the run is summarized again once they have ended. Exit 0 (with --watch: 0 if the run SUCCEEDED, 1 if not), 2 for an unknown run, one still going or with nothing to redrive, or a refused request, 3 if the API is unreachable.")
final class RedriveCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_ID", description = "the run")
  String runId;

  @Option(
      names = "--statuses",
      paramLabel = "A,B",
      description =
          "the tasks to run again, by status: FAILED, CANCELLED or both (default: the hub's, FAILED)")
  String statuses;

  @CommandLine.Mixin WatchOptions follow;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // The body is optional; an empty object (the hub's default statuses) is sent as JSON all the
    // same, so the request is one whatever the hub makes of a POST without a content type.
    ObjectNode body = Json.object();
    if (statuses != null) {
      ArrayNode list = Json.array();
      Arrays.stream(statuses.split(",", -1)).map(String::strip).forEach(list::add);
      body.set("statuses", list);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HubApiClient client = remote.client();
    String request = "/runs/" + runId + "/redrive";
    // Not repeated on a lost answer: a second redrive could start the tasks over once more.
    HubApiClient.Reply reply = client.unrepeated("POST", request, Json.write(body));
    if (reply.status() == 409) {
      throw new UsageException(
          "run "
              + runId
              + " cannot be redriven ("
              + reply.error()
              + ": "
              + reply.message()
              + "): a run is redriven once it has finished, and only if it has tasks in the statuses"
              + " asked for; `hubspoke status "
              + runId
              + "` shows where it is");
    }
    JsonNode run =
        client.expect(
            reply, "POST " + request, Map.of("runId", "RUN_ID", "statuses", "--statuses"));
    JsonNode redrive = run.path("redrive");
    String said =
        "run "
            + runId
            + " is redriven: round "
            + redrive.path("round").asText("?")
            + ", "
            + redrive.path("tasks").asText("?")
            + " "
            + String.join("/", texts(redrive.path("statuses")))
            + " task(s) run again (status "
            + run.path("status").asText()
            + ")";
    return RunFollower.reportOrFollow(client, run, said, follow.watch, follow.json, out, err);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(element -> texts.add(element.asText()));
    return texts;
  }
}
