package io.hubspoke.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.TreeSet;

/**
 * A deployed stack's API URL, from the stack's outputs: the {@code ApiUrl} output the CDK stack
 * declares. The outputs come through {@link StackOutputs}, so the parsing is tested without AWS.
 */
final class StackEndpoint {
  /** The output of the hubspoke stack that holds its HTTP API's base URL. */
  static final String API_URL_OUTPUT = "ApiUrl";

  /** A stack's outputs by key. */
  @FunctionalInterface
  interface StackOutputs {
    /**
     * @throws UsageException if there is no such stack (naming it and where it was looked for)
     */
    Map<String, String> outputs(String stackName);
  }

  private StackEndpoint() {}

  /** The stack's API URL; a usage error if the stack does not have a usable one. */
  static URI apiUrl(String stackName, Map<String, String> outputs) {
    String url = outputs.get(API_URL_OUTPUT);
    if (url == null || url.isBlank()) {
      throw new UsageException(
          "stack "
              + stackName
              + " has no "
              + API_URL_OUTPUT
              + " output (its outputs: "
              + (outputs.isEmpty() ? "none" : String.join(", ", new TreeSet<>(outputs.keySet())))
              + "): is it a hubspoke stack, deployed completely? Give its name with --stack, or"
              + " the API's URL with --endpoint");
    }
    try {
      URI uri = new URI(url.strip());
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new URISyntaxException(url, "not an http(s) URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new UsageException(
          "stack "
              + stackName
              + "'s "
              + API_URL_OUTPUT
              + " output '"
              + url
              + "' is not an http(s) URL; give the API's URL with --endpoint");
    }
  }
}
