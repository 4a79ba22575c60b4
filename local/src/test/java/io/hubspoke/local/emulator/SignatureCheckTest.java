package io.hubspoke.local.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

class SignatureCheckTest {
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final String SIGNATURE = "a".repeat(64);
  final SignatureCheck check = new SignatureCheck("us-east-1");

  /** Headers as the SDK's own SigV4 signer makes them for a GET at {@code signedAt}. */
  static Map<String, String> signedBySdk(String region, String service, Instant signedAt) {
    SdkHttpFullRequest request =
        SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.GET)
            .uri(URI.create("http://127.0.0.1:8080/runs?status=RUNNING"))
            .build();
    var signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsBasicCredentials.create("AKIDEXAMPLE12345", "secret"))
                        .request(request)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(
                            AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signed.request().headers().forEach((name, values) -> headers.put(name, values.get(0)));
    headers.put("Host", "127.0.0.1:8080");
    return headers;
  }

  static Map<String, String> headers(String authorization, String amzDate) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("Host", "127.0.0.1:8080");
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    if (amzDate != null) {
      headers.put("X-Amz-Date", amzDate);
    }
    return headers;
  }

  Optional<String> problem(Map<String, String> headers) {
    return check.problem(headers::get, NOW);
  }

  static String authorization(String credential, String signedHeaders, String signature) {
    return "AWS4-HMAC-SHA256 Credential="
        + credential
        + ", SignedHeaders="
        + signedHeaders
        + ", Signature="
        + signature;
  }

  @Test
  void theSdksSignatureIsAccepted() {
    assertEquals(Optional.empty(), problem(signedBySdk("us-east-1", "execute-api", NOW)));
  }

  @Test
  void aWellFormedHandMadeSignatureIsAcceptedWhateverItsSecret() {
    String auth =
        authorization(
            "AKIDEXAMPLE12345/20261130/us-east-1/execute-api/aws4_request",
            "host;x-amz-date",
            SIGNATURE);
    assertEquals(Optional.empty(), problem(headers(auth, "20261130T115500Z")));
  }

  @Test
  void noAuthorizationIsAMissingToken() {
    String message = problem(headers(null, null)).orElseThrow();
    assertTrue(message.startsWith("Missing Authentication Token"), message);
    assertTrue(message.contains("region us-east-1"), message);
  }

  @Test
  void anotherSchemeIsNamed() {
    assertEquals(
        "Authorization header must start with AWS4-HMAC-SHA256 (found 'Bearer')",
        problem(headers("Bearer abc", "20261130T120000Z")).orElseThrow());
  }

  @Test
  void eachMissingPartIsNamed() {
    String message =
        problem(headers("AWS4-HMAC-SHA256 Credential=, Signature=" + SIGNATURE, null))
            .orElseThrow();
    assertTrue(message.contains("requires 'Credential' parameter"), message);
    assertTrue(message.contains("requires 'SignedHeaders' parameter"), message);
    assertTrue(!message.contains("requires 'Signature' parameter"), message);
    assertTrue(message.contains("'X-Amz-Date' header"), message);
  }

  @Test
  void aBadSignatureScopeOrDateIsNamed() {
    String wrongScope =
        authorization(
            "AKIDEXAMPLE12345/20261129/eu-west-1/s3/aws4_request", "host;x-amz-date", SIGNATURE);
    String message = problem(headers(wrongScope, "20261130T120000Z")).orElseThrow();
    assertTrue(message.contains("valid date"), message);
    assertTrue(message.contains("'eu-west-1' is not this API's region 'us-east-1'"), message);
    assertTrue(message.contains("'s3' is not 'execute-api'"), message);

    String shortScope = authorization("AKIDEXAMPLE12345/20261130", "host;x-amz-date", SIGNATURE);
    assertTrue(
        problem(headers(shortScope, "20261130T120000Z"))
            .orElseThrow()
            .contains("AKID/yyyymmdd/region/execute-api/aws4_request"));

    String good = "AKIDEXAMPLE12345/20261130/us-east-1/execute-api/aws4_request";
    assertTrue(
        problem(headers(authorization(good, "host;x-amz-date", "xyz"), "20261130T120000Z"))
            .orElseThrow()
            .contains("Signature must be 64 lower-case hexadecimal digits"));
    assertTrue(
        problem(headers(authorization(good, "host;x-amz-date", SIGNATURE), "yesterday"))
            .orElseThrow()
            .contains("X-Amz-Date 'yesterday' is not in the form"));
    assertTrue(
        problem(headers(authorization(good, "host;x-amz-date", SIGNATURE), "20261130T100000Z"))
            .orElseThrow()
            .startsWith("Signature expired"));
  }

  @Test
  void theSignedHeadersMustBeThereSortedAndIncludeHostAndDate() {
    String good = "AKIDEXAMPLE12345/20261130/us-east-1/execute-api/aws4_request";
    String noHost =
        problem(headers(authorization(good, "x-amz-date", SIGNATURE), "20261130T120000Z"))
            .orElseThrow();
    assertTrue(noHost.contains("must include 'host'"), noHost);
    String absent =
        problem(
                headers(
                    authorization(good, "host;x-amz-date;x-custom", SIGNATURE), "20261130T120000Z"))
            .orElseThrow();
    assertTrue(absent.contains("'x-custom', which the request does not have"), absent);
    String unsorted =
        problem(headers(authorization(good, "x-amz-date;host", SIGNATURE), "20261130T120000Z"))
            .orElseThrow();
    assertTrue(unsorted.contains("alphabetical order"), unsorted);
  }

  @Test
  void theSdksSignatureForAnotherServiceOrRegionIsRefused() {
    assertTrue(problem(signedBySdk("us-east-1", "lambda", NOW)).isPresent());
    assertTrue(problem(signedBySdk("eu-west-1", "execute-api", NOW)).isPresent());
    assertTrue(
        problem(signedBySdk("us-east-1", "execute-api", NOW.minusSeconds(3600))).isPresent());
  }
}
