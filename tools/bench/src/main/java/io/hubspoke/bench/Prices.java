package io.hubspoke.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The list prices of {@code docs/cost-model.md}: the rows of its table between {@code <!--
 * prices:begin -->} and {@code <!-- prices:end -->}, {@code | `key` | USD | per N units | unit |
 * region | read on | source |}. The prices exist only there; the cost benchmark reads them.
 */
public record Prices(Path file, Map<String, Price> byKey) {
  public record Price(
      String key, BigDecimal usd, BigDecimal per, String unit, String region, String readOn) {
    /** USD for one unit. */
    public double unitPrice() {
      return usd.doubleValue() / per.doubleValue();
    }
  }

  static final String BEGIN = "<!-- prices:begin -->";
  static final String END = "<!-- prices:end -->";
  private static final Pattern ROW =
      Pattern.compile(
          "^\\|\\s*`([a-zA-Z0-9.]+)`\\s*\\|\\s*([0-9.,]+)\\s*\\|\\s*([0-9.,]+)\\s*\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|.*$");

  public static final String DYNAMODB_WRITE = "dynamodb.writeRequestUnit";
  public static final String DYNAMODB_READ = "dynamodb.readRequestUnit";
  public static final String SQS_REQUEST = "sqs.request";
  public static final String LAMBDA_REQUEST = "lambda.request";
  public static final String LAMBDA_GB_SECOND = "lambda.gbSecondArm64";
  public static final String EVENTBRIDGE_EVENT = "eventbridge.customEvent";
  public static final String SFN_TRANSITION = "stepfunctions.standardTransition";
  public static final String DMAP_TRANSITIONS_PER_ITEM = "dmap.transitionsPerItem";
  public static final String SFN_EXPRESS_REQUEST = "stepfunctions.expressRequest";
  public static final String SFN_EXPRESS_GB_SECOND = "stepfunctions.expressGbSecond";
  public static final String DMAP_EXPRESS_BILLED_MB = "dmap.expressBilledMb";
  public static final String DMAP_EXPRESS_MIN_BILLED_MS = "dmap.expressMinBilledMs";
  public static final String APIGATEWAY_HTTP_REQUEST = "apigateway.httpRequest";

  static final List<String> REQUIRED =
      List.of(
          DYNAMODB_WRITE,
          DYNAMODB_READ,
          SQS_REQUEST,
          LAMBDA_REQUEST,
          LAMBDA_GB_SECOND,
          EVENTBRIDGE_EVENT,
          SFN_TRANSITION,
          DMAP_TRANSITIONS_PER_ITEM,
          SFN_EXPRESS_REQUEST,
          SFN_EXPRESS_GB_SECOND,
          DMAP_EXPRESS_BILLED_MB,
          DMAP_EXPRESS_MIN_BILLED_MS,
          APIGATEWAY_HTTP_REQUEST);

  public static Prices read(Path file) throws IOException {
    return parse(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  static Prices parse(Path file, String markdown) {
    int begin = markdown.indexOf(BEGIN);
    int end = markdown.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(file + " has no " + BEGIN + " … " + END + " price table");
    }
    Map<String, Price> prices = new LinkedHashMap<>();
    for (String line : markdown.substring(begin, end).split("\n")) {
      Matcher m = ROW.matcher(line.trim());
      if (m.matches()) {
        prices.put(
            m.group(1),
            new Price(
                m.group(1),
                new BigDecimal(m.group(2).replace(",", "")),
                new BigDecimal(m.group(3).replace(",", "")),
                m.group(4).trim(),
                m.group(5).trim(),
                m.group(6).trim()));
      }
    }
    for (String key : REQUIRED) {
      if (!prices.containsKey(key)) {
        throw new IllegalStateException(file + ": the price table has no row `" + key + "`");
      }
    }
    return new Prices(file, Map.copyOf(prices));
  }

  public double unit(String key) {
    return byKey.get(key).unitPrice();
  }

  public Price get(String key) {
    return byKey.get(key);
  }
}
