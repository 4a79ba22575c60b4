package io.hubspoke.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description =
        "Submits a run to a hub API (--endpoint or --stack): ITEMS_FILE, --source or a whole --request, with an idempotency key (its retries resume the same run). Prints the run id; with --watch, follows it to its end like run. Exit 0 (with --watch: 0 if the run SUCCEEDED, 1 if not), 2 on usage errors or a refused request, 3 if it could not be submitted.")
final class SubmitCommand implements Callable<Integer> {
  @CommandLine.Mixin RunRequestOptions runRequest;

  @CommandLine.Mixin WatchOptions follow;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode request = runRequest.request();
    HubApiClient client = remote.client();
    JsonNode accepted = client.submit(Json.write(request), request.get("idempotencyKey").asText());
    if (!follow.watch) {
      out.println(follow.json ? Json.write(accepted) : accepted.get("runId").asText());
      out.flush();
      return HubspokeCli.EXIT_SUCCEEDED;
    }
    if (!follow.json) {
      out.println(accepted.get("runId").asText());
      out.flush();
      err.println(RunFollower.submitted(accepted, request));
    }
    return RunFollower.follow(client, accepted, follow.json, out, err);
  }
}
