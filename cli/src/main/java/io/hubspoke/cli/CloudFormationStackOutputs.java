package io.hubspoke.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/** A stack's outputs as CloudFormation's DescribeStacks gives them. */
final class CloudFormationStackOutputs implements StackEndpoint.StackOutputs {
  private final String region;
  private final AwsCredentialsProvider credentials;

  CloudFormationStackOutputs(String region, AwsCredentialsProvider credentials) {
    this.region = region;
    this.credentials = credentials;
  }

  @Override
  public Map<String, String> outputs(String stackName) {
    try (CloudFormationClient cloudFormation =
        CloudFormationClient.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .build()) {
      Stack stack = cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0);
      Map<String, String> outputs = new LinkedHashMap<>();
      for (Output output : stack.outputs()) {
        outputs.put(output.outputKey(), output.outputValue());
      }
      return outputs;
    } catch (CloudFormationException e) {
      if (e.statusCode() == 400 && String.valueOf(e.getMessage()).contains("does not exist")) {
        throw new UsageException(
            "stack "
                + stackName
                + " does not exist in "
                + region
                + ": check --stack (Hubspoke unless deployed with -c hubspoke:stackName=...) and"
                + " --region");
      }
      throw new UsageException(
          "DescribeStacks of "
              + stackName
              + " in "
              + region
              + " failed: "
              + e.awsErrorDetails().errorMessage()
              + "; the credentials need cloudformation:DescribeStacks, or give --endpoint URL");
    } catch (SdkClientException e) {
      throw new ApiUnavailableException(
          "could not read stack "
              + stackName
              + " in "
              + region
              + ": "
              + e.getMessage()
              + " (check the network and the credentials, or give --endpoint URL)");
    }
  }
}
