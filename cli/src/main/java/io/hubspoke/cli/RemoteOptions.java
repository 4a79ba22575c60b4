package io.hubspoke.cli;

import io.hubspoke.local.LocalRuntime;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Which hub API the remote commands talk to, and how they sign: {@code --endpoint URL} (e.g. {@code
 * hubspoke serve}'s) or {@code --stack NAME} (its {@code ApiUrl} output), with {@code --region} and
 * {@code --profile}. An https endpoint (so every stack's) is signed with SigV4 from the standard
 * credential chain or the profile; a plain http one only with {@code --sign}.
 */
class RemoteOptions {
  /** How the stack's outputs are read: DescribeStacks (tests put a fake here). */
  interface StackOutputsFactory {
    StackEndpoint.StackOutputs create(String region, AwsCredentialsProvider credentials);
  }

  static StackOutputsFactory stackOutputs = CloudFormationStackOutputs::new;

  /** {@code <apiId>.execute-api.<region>.amazonaws.com}: the region is in the host. */
  private static final Pattern EXECUTE_API_HOST =
      Pattern.compile("[a-z0-9]+\\.execute-api\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "the hub API's base URL: http://127.0.0.1:8080 for `hubspoke serve`, or a deployed"
              + " stack's ApiUrl (https://<apiId>.execute-api.<region>.amazonaws.com/)")
  String endpoint;

  @Option(
      names = "--stack",
      paramLabel = "NAME",
      description =
          "a deployed stack's name (e.g. Hubspoke): its ApiUrl output is read with CloudFormation"
              + " DescribeStacks")
  String stack;

  @Option(
      names = "--region",
      description =
          "the stack's or API's AWS region (default: from an execute-api URL, us-east-1 for a"
              + " local endpoint, else the standard region chain: AWS_REGION, the profile's)")
  String region;

  @Option(
      names = "--profile",
      description = "the AWS profile to sign with (default: the standard credential chain)")
  String profile;

  @Option(
      names = "--sign",
      description =
          "sign a plain http endpoint's requests too (e.g. `hubspoke serve --require-signature`);"
              + " https endpoints and --stack are always signed")
  boolean sign;

  /** A client of the chosen API, signing as the options say. */
  HubApiClient client() {
    if (endpoint != null && stack != null) {
      throw new UsageException(
          "give --endpoint or --stack, not both: --endpoint is the API's URL, --stack the name of"
              + " the stack whose ApiUrl output it is");
    }
    if (endpoint == null && stack == null) {
      throw new UsageException(
          "give --endpoint URL (e.g. --endpoint http://127.0.0.1:8080 for `hubspoke serve`) or"
              + " --stack NAME (a deployed stack, e.g. --stack Hubspoke)");
    }
    if (profile != null && profile.isBlank()) {
      throw new UsageException("--profile is empty: give a profile of your AWS config");
    }
    if (stack != null) {
      String stackRegion = region != null ? region : defaultRegion("--stack");
      AwsCredentialsProvider credentials = credentials();
      SigV4Signer.resolve(credentials); // no credentials: say so before CloudFormation does
      URI api =
          StackEndpoint.apiUrl(stack, stackOutputs.create(stackRegion, credentials).outputs(stack));
      return new HubApiClient(
          api,
          new SigV4Signer(
              credentials, region != null ? region : regionOf(api).orElse(stackRegion)));
    }
    URI api = endpoint();
    if (!sign && !"https".equals(api.getScheme())) {
      return new HubApiClient(api, RequestSigner.NONE);
    }
    return new HubApiClient(
        api,
        new SigV4Signer(
            credentials(), region != null ? region : regionOf(api).orElseGet(() -> localOr(api))));
  }

  private URI endpoint() {
    String fix =
        ": give the API's base URL, e.g. --endpoint http://127.0.0.1:8080 or --endpoint"
            + " https://abc123.execute-api.eu-west-1.amazonaws.com/";
    URI uri;
    try {
      uri = new URI(endpoint.strip());
    } catch (URISyntaxException e) {
      throw new UsageException("--endpoint '" + endpoint + "' is not a URL" + fix);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new UsageException("--endpoint '" + endpoint + "' is not an http(s) URL" + fix);
    }
    if (uri.getHost() == null) {
      throw new UsageException("--endpoint '" + endpoint + "' has no host" + fix);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new UsageException("--endpoint '" + endpoint + "' has a query or fragment" + fix);
    }
    return uri;
  }

  private AwsCredentialsProvider credentials() {
    return profile != null
        ? ProfileCredentialsProvider.builder().profileName(profile).build()
        : DefaultCredentialsProvider.builder().build();
  }

  static java.util.Optional<String> regionOf(URI api) {
    Matcher matcher = EXECUTE_API_HOST.matcher(String.valueOf(api.getHost()));
    return matcher.matches() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
  }

  /** A local API (`hubspoke serve`) is in the local runtime's region; another needs one given. */
  private String localOr(URI api) {
    try {
      if (InetAddress.getByName(api.getHost()).isLoopbackAddress()) {
        return LocalRuntime.REGION;
      }
    } catch (UnknownHostException e) {
      // Not resolvable here: not a local API; the request will say it is unreachable.
    }
    return defaultRegion("--endpoint " + api);
  }

  private String defaultRegion(String what) {
    try {
      return DefaultAwsRegionProviderChain.builder().profileName(profile).build().getRegion().id();
    } catch (SdkClientException e) {
      throw new UsageException(
          what
              + " needs an AWS region: give --region (e.g. --region eu-west-1), or set AWS_REGION"
              + " or the profile's region");
    }
  }
}
