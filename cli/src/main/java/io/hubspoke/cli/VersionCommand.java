package io.hubspoke.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "version", description = "Prints hubspoke's version (as --version does).")
final class VersionCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(HubspokeCli.VERSION);
    spec.commandLine().getOut().flush();
    return HubspokeCli.EXIT_SUCCEEDED;
  }
}
