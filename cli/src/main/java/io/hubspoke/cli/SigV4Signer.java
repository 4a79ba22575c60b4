package io.hubspoke.cli;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs requests to an IAM-authorized API Gateway API with the SDK's SigV4 signer (service {@code
 * execute-api}), with credentials from the given provider: the standard chain or a profile.
 */
final class SigV4Signer implements RequestSigner {
  static final String SERVICE = "execute-api";

  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final AwsCredentialsProvider credentials;
  private final String region;

  SigV4Signer(AwsCredentialsProvider credentials, String region) {
    this.credentials = credentials;
    this.region = region;
  }

  String region() {
    return region;
  }

  @Override
  public boolean signs() {
    return true;
  }

  @Override
  public Map<String, String> headers(
      String method, URI uri, Map<String, String> headers, byte[] body) {
    SdkHttpFullRequest.Builder request =
        SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
    headers.forEach(request::putHeader);
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(identity())
                    .request(request.build())
                    .payload(body.length == 0 ? null : ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    Map<String, String> added = new LinkedHashMap<>();
    signed
        .request()
        .headers()
        .forEach(
            (name, values) -> {
              // The HTTP client sets Host itself (from the URI, as the signer did).
              if (!name.equalsIgnoreCase("host") && !headers.containsKey(name)) {
                added.put(name, String.join(",", values));
              }
            });
    return added;
  }

  private AwsCredentialsIdentity identity() {
    return resolve(credentials);
  }

  /** The provider's credentials; none is a usage error saying how to give some. */
  static AwsCredentialsIdentity resolve(AwsCredentialsProvider credentials) {
    try {
      return credentials.resolveCredentials();
    } catch (SdkClientException e) {
      throw new UsageException(
          "no AWS credentials to sign the request with ("
              + firstLine(e.getMessage())
              + "): set up the standard chain (AWS_PROFILE, aws configure, aws sso login,"
              + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or give --profile NAME");
    }
  }

  private static String firstLine(String message) {
    List<String> lines = message == null ? List.of("") : message.lines().toList();
    return lines.isEmpty() ? "" : lines.get(0);
  }
}
