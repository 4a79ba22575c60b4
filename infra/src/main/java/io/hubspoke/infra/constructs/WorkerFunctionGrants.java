package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.workers.LambdaFunctionName;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * Lets the {@code lambda} worker and {@code lambda} sources call the deployment's worker functions
 * and no other: the hub and the spoke learn the list ({@link HubspokeEnvironment#WORKER_FUNCTIONS};
 * the hub answers 400 to a run naming another), the spoke's role may invoke exactly those functions
 * (a task), and so may the hub's (a page of a run's discovery).
 */
public final class WorkerFunctionGrants {
  private WorkerFunctionGrants() {}

  public static void apply(
      HubFunction hub, SpokeFunction spoke, List<LambdaFunctionName> functions) {
    if (functions.isEmpty()) {
      return;
    }
    String allowed = functions.stream().map(Object::toString).collect(Collectors.joining(","));
    hub.getFunction().getFunction().addEnvironment(HubspokeEnvironment.WORKER_FUNCTIONS, allowed);
    spoke.getFunction().getFunction().addEnvironment(HubspokeEnvironment.WORKER_FUNCTIONS, allowed);
    for (JavaFunction function : List.of(spoke.getFunction(), hub.getFunction())) {
      grantInvoke(function, functions);
    }
  }

  private static void grantInvoke(JavaFunction function, List<LambdaFunctionName> functions) {
    function
        .getRole()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("lambda:InvokeFunction"))
                .resources(arns(functions))
                .build());
    List<String> everyVersion =
        functions.stream()
            .filter(f -> f.qualifier() == null)
            .map(
                f ->
                    "Resource::"
                        + arn(f, "<AWS::Partition>", "<AWS::Region>", "<AWS::AccountId>")
                        + ":*")
            .toList();
    if (!everyVersion.isEmpty()) {
      NagSuppressions.addResourceSuppressions(
          function.getRole(),
          List.of(
              NagPackSuppression.builder()
                  .id("AwsSolutions-IAM5")
                  .reason(
                      "An unqualified hubspoke:workerFunctions entry allows that one function under"
                          + " any alias or version (a run may name function:alias); the wildcard"
                          + " is the qualifier of a single named function, nothing wider.")
                  .appliesTo(List.copyOf(everyVersion))
                  .build()),
          true);
    }
  }

  /**
   * The ARNs of the listed functions, in this stack's partition, region and account where an entry
   * leaves them out. An unqualified entry allows the function under every alias and version (the
   * request may name one), a qualified one that qualifier alone.
   */
  static List<String> arns(List<LambdaFunctionName> functions) {
    List<String> arns = new ArrayList<>();
    for (LambdaFunctionName f : functions) {
      String base = arn(f, Aws.PARTITION, Aws.REGION, Aws.ACCOUNT_ID);
      if (f.qualifier() == null) {
        arns.add(base);
        arns.add(base + ":*");
      } else {
        arns.add(base + ":" + f.qualifier());
      }
    }
    return arns;
  }

  /** The function's unqualified ARN, with these stand-ins for the parts the entry leaves out. */
  private static String arn(LambdaFunctionName f, String partition, String region, String account) {
    return "arn:"
        + (f.partition() != null ? f.partition() : partition)
        + ":lambda:"
        + (f.region() != null ? f.region() : region)
        + ":"
        + (f.account() != null ? f.account() : account)
        + ":function:"
        + f.name();
  }
}
