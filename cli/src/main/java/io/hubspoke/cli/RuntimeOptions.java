package io.hubspoke.cli;

import io.hubspoke.contract.Deployment;
import io.hubspoke.local.LocalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the commands that start a local runtime. */
class RuntimeOptions {
  @Option(
      names = "--concurrency",
      description = "maximum concurrent spoke invocations (default ${DEFAULT-VALUE})",
      defaultValue = "10")
  int concurrency;

  @Option(
      names = "--batch-size",
      description = "messages per spoke invocation (default ${DEFAULT-VALUE})",
      defaultValue = "10")
  int batchSize;

  @Option(names = "--verbose", description = "show the functions' and engines' logs")
  boolean verbose;

  @Option(
      names = "--worker-jar",
      paramLabel = "JAR",
      description =
          "a jar of your own workers, found by name through META-INF/services/io.hubspoke.worker.TaskWorker (repeatable); they join echo, sleep, http and lambda. Its item sources (META-INF/services/io.hubspoke.worker.ItemSource) are what --source '{\"type\":\"worker\",\"name\":…}' names")
  List<Path> workerJars = new ArrayList<>();

  @Option(
      names = "--function",
      paramLabel = "NAME=COMMAND",
      description =
          "a local Lambda function the lambda worker or a lambda source may invoke (repeatable): NAME=COMMAND runs the command once per invocation, the event on its standard input, the result on its standard output (e.g. 'wordcount=python3 examples/worker-python/handler.py'); NAME=java:JAR:CLASS runs a Java RequestHandler or RequestStreamHandler; NAME:ALIAS=… also answers to that alias")
  List<String> functions = new ArrayList<>();

  LocalOptions.Builder builder(int port) {
    if (!Deployment.isValidMaximumConcurrency(concurrency)) {
      throw new UsageException(
          "--concurrency must be from 2 to 1000 (the event source mapping's range)");
    }
    if (batchSize < 1 || Deployment.needsBatchingWindow(batchSize)) {
      throw new UsageException("--batch-size must be from 1 to 10");
    }
    LocalOptions.Builder builder =
        LocalOptions.builder()
            .httpPort(port)
            .maximumConcurrency(concurrency)
            .batchSize(batchSize)
            .workers(WorkerJars.registry(workerJars));
    FunctionSpecs.parse(functions).forEach(builder::function);
    if (verbose) {
      builder.functionLogs(line -> System.err.println(line));
    }
    return builder;
  }
}
