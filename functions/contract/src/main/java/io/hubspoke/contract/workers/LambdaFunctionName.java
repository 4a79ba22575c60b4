package io.hubspoke.contract.workers;

import io.hubspoke.contract.HubspokeException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Lambda function as the {@code FunctionName} of an Invoke request names it, in one of the three
 * formats AWS documents, each optionally followed by {@code :qualifier} (an alias, a version or
 * {@code $LATEST}):
 *
 * <ul>
 *   <li>a function name, {@code my-function} (at most 64 characters);
 *   <li>a function ARN, {@code arn:aws:lambda:us-west-2:123456789012:function:my-function};
 *   <li>a partial ARN, {@code 123456789012:function:my-function}.
 * </ul>
 *
 * <p>The whole is at most 170 characters; the parts follow the Invoke API's pattern ({@code
 * (arn:(aws[a-zA-Z-]*)?:lambda:)?(region:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|
 * [a-zA-Z0-9-_]+))?}), and a qualifier is at most 128 characters (an alias name's limit). Parts the
 * text does not give are null.
 */
public record LambdaFunctionName(
    String partition, String region, String account, String name, String qualifier) {

  public static final int MAX_LENGTH = 170;
  public static final int MAX_NAME_LENGTH = 64;
  public static final int MAX_QUALIFIER_LENGTH = 128;

  /** The formats, for error messages. */
  public static final String FORMATS =
      "give a function name (my-function), an ARN"
          + " (arn:aws:lambda:eu-west-1:123456789012:function:my-function) or a partial ARN"
          + " (123456789012:function:my-function), optionally followed by :alias or :version";

  private static final Pattern PARTITION = Pattern.compile("aws[a-zA-Z-]*");
  private static final Pattern REGION =
      Pattern.compile("(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]+");
  private static final Pattern QUALIFIER = Pattern.compile("\\$LATEST|[a-zA-Z0-9_-]+");

  public LambdaFunctionName {
    Objects.requireNonNull(name, "name");
  }

  /** Thrown by {@link #parse} with what is wrong with the text. */
  public static final class InvalidFunctionNameException extends HubspokeException {
    InvalidFunctionNameException(String message) {
      super(message);
    }
  }

  public static LambdaFunctionName parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidFunctionNameException("is empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new InvalidFunctionNameException(
          "has " + text.length() + " characters; at most " + MAX_LENGTH + " are allowed");
    }
    String[] parts = text.split(":", -1);
    if (parts[0].equals("arn")) {
      if (parts.length != 7 && parts.length != 8
          || !parts[2].equals("lambda")
          || !parts[5].equals("function")) {
        throw new InvalidFunctionNameException(
            "is not a function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>"
                + "[:<qualifier>])");
      }
      check(PARTITION, parts[1], "partition");
      check(REGION, parts[3], "region");
      check(ACCOUNT, parts[4], "account id (12 digits)");
      return new LambdaFunctionName(
          parts[1],
          parts[3],
          parts[4],
          name(parts[6]),
          parts.length == 8 ? qualifier(parts[7]) : null);
    }
    return switch (parts.length) {
      case 1 -> new LambdaFunctionName(null, null, null, name(parts[0]), null);
      case 2 -> new LambdaFunctionName(null, null, null, name(parts[0]), qualifier(parts[1]));
      case 3, 4 -> {
        if (!parts[1].equals("function")) {
          throw new InvalidFunctionNameException(
              "is not a partial ARN (<account>:function:<name>[:<qualifier>])");
        }
        check(ACCOUNT, parts[0], "account id (12 digits)");
        yield new LambdaFunctionName(
            null, null, parts[0], name(parts[2]), parts.length == 4 ? qualifier(parts[3]) : null);
      }
      default -> throw new InvalidFunctionNameException("has too many ':'-separated parts");
    };
  }

  private static String name(String name) {
    check(NAME, name, "function name (letters, digits, '-', '_' and '.')");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidFunctionNameException(
          "names a function of "
              + name.length()
              + " characters; a function name is at most "
              + MAX_NAME_LENGTH);
    }
    return name;
  }

  private static String qualifier(String qualifier) {
    check(QUALIFIER, qualifier, "qualifier ($LATEST, a version or an alias name)");
    if (qualifier.length() > MAX_QUALIFIER_LENGTH) {
      throw new InvalidFunctionNameException(
          "has a qualifier of "
              + qualifier.length()
              + " characters; at most "
              + MAX_QUALIFIER_LENGTH
              + " are allowed");
    }
    return qualifier;
  }

  private static void check(Pattern pattern, String part, String what) {
    if (!pattern.matcher(part).matches()) {
      throw new InvalidFunctionNameException(
          (part.isEmpty() ? "has an empty " : "has '" + part + "', not a valid ") + what);
    }
  }

  /**
   * Whether this entry of an allowed list covers {@code requested}: the same function name; this
   * entry's qualifier, if it has one, equal to the requested one (an unqualified entry covers every
   * alias and version); and the same partition, region and account wherever both give one, a region
   * left out meaning {@code defaultRegion} (the deployment's).
   */
  public boolean allows(LambdaFunctionName requested, String defaultRegion) {
    return name.equals(requested.name)
        && (qualifier == null || qualifier.equals(requested.qualifier))
        && sameWhereBothGiven(partition, requested.partition)
        && sameWhereBothGiven(account, requested.account)
        && sameWhereBothGiven(
            region == null ? defaultRegion : region,
            requested.region == null ? defaultRegion : requested.region);
  }

  private static boolean sameWhereBothGiven(String a, String b) {
    return a == null || b == null || a.equals(b);
  }

  /** The text this was parsed from (a name, partial ARN or ARN, with the qualifier if any). */
  @Override
  public String toString() {
    String base =
        partition != null
            ? "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + name
            : account != null ? account + ":function:" + name : name;
    return qualifier == null ? base : base + ":" + qualifier;
  }
}
