package io.hubspoke.cli;

import picocli.CommandLine.Option;

/** --watch and --json of the commands that start or change a run (submit, cancel, redrive). */
class WatchOptions {
  @Option(
      names = "--watch",
      description = "then show progress until the run has ended, and its summary")
  boolean watch;

  @Option(
      names = "--json",
      description = "print the run record as JSON (with --watch: only the final one)")
  boolean json;
}
