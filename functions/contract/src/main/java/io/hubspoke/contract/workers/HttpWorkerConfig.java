package io.hubspoke.contract.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.validation.FieldError;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code http} worker's settings: {@code url}, {@code timeoutMs}, {@code headers}. */
public final class HttpWorkerConfig implements WorkerConfigSchema {
  public static final HttpWorkerConfig SCHEMA = new HttpWorkerConfig();

  /** Used when {@code timeoutMs} is not given. */
  public static final long DEFAULT_TIMEOUT_MS = 10_000;

  public static final String ATTEMPT_HEADER = "X-Hubspoke-Attempt";

  /** Headers hubspoke sets on every request, which a user's headers may not replace. */
  private static final Set<String> OWN_HEADERS =
      Set.of("idempotency-key", ATTEMPT_HEADER.toLowerCase(Locale.ROOT), "content-type");

  /** Headers the JDK's client refuses to let a caller set (it manages them itself). */
  private static final Set<String> CLIENT_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  /** RFC 9110's token characters, what a header name is made of. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private HttpWorkerConfig() {}

  @Override
  public String name() {
    return "http";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("url", "timeoutMs", "headers"), errors);
    JsonNode url = config.get("url");
    if (url == null || !url.isTextual()) {
      errors.add(new FieldError("url", "is required and must be a string", "give an http(s) URL"));
    } else {
      try {
        URI uri = URI.create(url.textValue());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          errors.add(
              new FieldError(
                  "url", "is not an absolute http(s) URL", "give e.g. https://example.com/hook"));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("url", "is not a URL", "give e.g. https://example.com/hook"));
      }
    }
    WorkerConfigs.longIn(config, "timeoutMs", 1, 840_000, DEFAULT_TIMEOUT_MS, errors);
    JsonNode headers = config.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        errors.add(
            new FieldError(
                "headers", "must be an object of strings", "give e.g. {\"X-Team\":\"data\"}"));
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> header = it.next();
          FieldError error = checkHeader(header.getKey(), header.getValue());
          if (error != null) {
            errors.add(error);
          }
        }
      }
    }
    return errors;
  }

  /**
   * A header the request could not carry fails the run's submission rather than every attempt of
   * every task: the JDK's client throws on a forbidden or malformed one.
   */
  private static FieldError checkHeader(String name, JsonNode value) {
    String field = "headers." + name;
    String lower = name.toLowerCase(Locale.ROOT);
    if (!HEADER_NAME.matcher(name).matches()) {
      return new FieldError(
          field,
          "is not a valid header name",
          "use letters, digits and - only (RFC 9110 token characters), e.g. X-Team");
    }
    if (OWN_HEADERS.contains(lower)) {
      return new FieldError(
          field,
          "is set by hubspoke on every request",
          "remove it: Idempotency-Key carries the task id, "
              + ATTEMPT_HEADER
              + " the attempt, Content-Type is application/json");
    }
    if (CLIENT_HEADERS.contains(lower)) {
      return new FieldError(field, "is managed by the HTTP client and cannot be set", "remove it");
    }
    if (!value.isTextual()) {
      return new FieldError(field, "must be a string", "quote the value");
    }
    for (char c : value.textValue().toCharArray()) {
      if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
        return new FieldError(
            field,
            "contains a line break, a NUL or a character outside ISO-8859-1",
            "give a single-line value of printable characters");
      }
    }
    return null;
  }
}
