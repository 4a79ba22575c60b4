package io.hubspoke.local.emulator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the local API can check of an IAM-authorized (SigV4) request without the caller's secret:
 * that an {@code Authorization} header is there and well formed ({@code AWS4-HMAC-SHA256
 * Credential=AKID/yyyymmdd/region/execute-api/aws4_request, SignedHeaders=..., Signature=<64
 * hex>}), scoped to this API's region and {@code execute-api}, with an {@code X-Amz-Date} of the
 * scope's day within 15 minutes of now, and signing {@code host} and every header it names. It
 * cannot tell whether the signature was made with the right secret: API Gateway checks that against
 * IAM, which is not emulated.
 */
final class SignatureCheck {
  /** API Gateway's answer to a request with no Authorization header. */
  static final String MISSING = "Missing Authentication Token";

  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final String SERVICE = "execute-api";
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);
  private static final DateTimeFormatter SCOPE_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
  private static final Pattern ACCESS_KEY = Pattern.compile("[A-Z0-9]{16,128}");
  private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");

  private final String region;

  SignatureCheck(String region) {
    this.region = Objects.requireNonNull(region);
  }

  /**
   * Why the request is refused (the 403's message), or empty if its signature is well formed.
   *
   * @param header a request header by name, any case (null when absent)
   */
  Optional<String> problem(Function<String, String> header, Instant now) {
    String authorization = header.apply("Authorization");
    if (authorization == null || authorization.isBlank()) {
      return Optional.of(
          MISSING
              + ": sign the request with AWS Signature Version 4 (service execute-api, region "
              + region
              + "), e.g. with hubspoke's remote commands and --sign");
    }
    List<String> problems = new ArrayList<>();
    String trimmed = authorization.strip();
    if (!trimmed.startsWith(ALGORITHM + " ")) {
      int space = trimmed.indexOf(' ');
      return Optional.of(
          "Authorization header must start with "
              + ALGORITHM
              + " (found '"
              + (space < 0 ? trimmed : trimmed.substring(0, space))
              + "')");
    }
    Map<String, String> parameters = parameters(trimmed.substring(ALGORITHM.length() + 1));
    String credential = parameters.get("Credential");
    String signedHeaders = parameters.get("SignedHeaders");
    String signature = parameters.get("Signature");
    for (String name : List.of("Credential", "SignedHeaders", "Signature")) {
      if (parameters.get(name) == null || parameters.get(name).isEmpty()) {
        problems.add("Authorization header requires '" + name + "' parameter");
      }
    }
    String amzDate = header.apply("X-Amz-Date");
    LocalDateTime signedAt = null;
    if (amzDate == null) {
      problems.add("Authorization header requires existence of the 'X-Amz-Date' header");
    } else {
      try {
        signedAt = LocalDateTime.parse(amzDate.strip(), AMZ_DATE);
      } catch (DateTimeParseException e) {
        problems.add("X-Amz-Date '" + amzDate + "' is not in the form yyyyMMddTHHmmssZ");
      }
    }
    if (credential != null && !credential.isEmpty()) {
      checkCredential(credential, signedAt, problems);
    }
    if (signedHeaders != null && !signedHeaders.isEmpty()) {
      checkSignedHeaders(signedHeaders, header, problems);
    }
    if (signature != null && !signature.isEmpty() && !SIGNATURE.matcher(signature).matches()) {
      problems.add("Signature must be 64 lower-case hexadecimal digits");
    }
    if (signedAt != null) {
      Instant signed = signedAt.toInstant(ZoneOffset.UTC);
      if (Duration.between(signed, now).abs().compareTo(CLOCK_SKEW) > 0) {
        problems.add(
            "Signature expired: "
                + amzDate
                + " is more than 15 minutes from the server's time "
                + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
      }
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private void checkCredential(String credential, LocalDateTime signedAt, List<String> problems) {
    String[] scope = credential.split("/", -1);
    if (scope.length != 5) {
      problems.add(
          "Credential should be AKID/yyyymmdd/region/execute-api/aws4_request, not '"
              + credential
              + "'");
      return;
    }
    if (!ACCESS_KEY.matcher(scope[0]).matches()) {
      problems.add("Credential's access key id '" + scope[0] + "' is malformed");
    }
    try {
      LocalDate day = LocalDate.parse(scope[1], SCOPE_DATE);
      if (signedAt != null && !day.equals(signedAt.toLocalDate())) {
        problems.add(
            "Credential should be scoped to a valid date: its date "
                + scope[1]
                + " is not the day of X-Amz-Date");
      }
    } catch (DateTimeParseException e) {
      problems.add("Credential's date '" + scope[1] + "' is not yyyymmdd");
    }
    if (!scope[2].equals(region)) {
      problems.add(
          "Credential should be scoped to a valid region: '"
              + scope[2]
              + "' is not this API's region '"
              + region
              + "'");
    }
    if (!scope[3].equals(SERVICE)) {
      problems.add(
          "Credential should be scoped to correct service: '"
              + scope[3]
              + "' is not '"
              + SERVICE
              + "'");
    }
    if (!scope[4].equals("aws4_request")) {
      problems.add("Credential should end with 'aws4_request', not '" + scope[4] + "'");
    }
  }

  private static void checkSignedHeaders(
      String signedHeaders, Function<String, String> header, List<String> problems) {
    List<String> names = List.of(signedHeaders.split(";", -1));
    for (String name : names) {
      if (!HEADER_NAME.matcher(name).matches()) {
        problems.add("SignedHeaders names '" + name + "', not a lower-case header name");
      } else if (header.apply(name) == null) {
        problems.add("SignedHeaders names '" + name + "', which the request does not have");
      }
    }
    if (!names.equals(names.stream().sorted().toList())) {
      problems.add("SignedHeaders must be in alphabetical order");
    }
    if (!names.contains("host")) {
      problems.add("SignedHeaders must include 'host'");
    }
    if (!names.contains("x-amz-date")) {
      problems.add("SignedHeaders must include 'x-amz-date'");
    }
  }

  /** {@code Credential=..., SignedHeaders=..., Signature=...} (commas, optional spaces). */
  private static Map<String, String> parameters(String text) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parameters.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    return parameters;
  }
}
