package io.hubspoke.cli;

import io.hubspoke.local.LocalRuntime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Keeps the local runtime and its HTTP API up, so curl can drive it. Stop with Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      description = "HTTP port on 127.0.0.1 (default ${DEFAULT-VALUE})",
      defaultValue = "8080")
  int port;

  @Option(
      names = "--require-signature",
      description =
          "refuse (403, as the stack's IAM-authorized API does) a request without a well-formed"
              + " SigV4 signature for us-east-1 and execute-api; the secret it was made with cannot"
              + " be checked locally. Sign with the remote commands' --sign")
  boolean requireSignature;

  @CommandLine.Mixin RuntimeOptions runtime;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new UsageException("--port must be from 0 to 65535");
    }
    PrintWriter err = spec.commandLine().getErr();
    LocalRuntime local =
        LocalRuntime.start(runtime.builder(port).requireSignature(requireSignature).build());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  local.close();
                  stopped.countDown();
                }));
    err.println(
        "hubspoke local API on "
            + local.apiEndpoint()
            + (requireSignature ? " (SigV4 signatures required: give the commands --sign)" : ""));
    if (!local.options().functions().isEmpty()) {
      err.println(
          "  lambda worker functions: "
              + String.join(", ", local.options().workerFunctions().split(","))
              + " (Lambda Invoke endpoint "
              + local.lambda().endpoint()
              + ")");
    }
    err.println(
        "  curl -s -X POST "
            + local.apiEndpoint()
            + "/runs -H 'content-type: application/json' \\");
    err.println(
        "       -d '{\"items\":[1,2,3],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":100}}'");
    err.println("  curl -s " + local.apiEndpoint() + "/runs/<runId>");
    err.println(
        "  ./hubspoke status <runId> --endpoint "
            + local.apiEndpoint()
            + (requireSignature ? " --sign" : "")
            + "   (also submit, list, tasks, results, cancel, redrive, watch)");
    err.println("Ctrl-C stops it.");
    err.flush();
    stopped.await();
    return HubspokeCli.EXIT_SUCCEEDED;
  }
}
