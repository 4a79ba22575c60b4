package io.hubspoke.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description =
        "Shows a run's progress until it has ended, then its summary. Exit 0 if it SUCCEEDED, 1 if it FAILED or was CANCELLED, 2 for an unknown run or a refused request, 3 if the API is unreachable.")
final class WatchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_ID", description = "the run, as submit printed it")
  String runId;

  @Option(names = "--json", description = "no progress; print only the final run record as JSON")
  boolean json;

  @CommandLine.Mixin RemoteOptions remote;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    HubApiClient client = remote.client();
    return RunFollower.follow(
        client, client.run(runId), json, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
