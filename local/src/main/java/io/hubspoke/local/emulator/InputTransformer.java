package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule target's {@code InputTransformer}, as CloudFormation declares it ({@code InputPathsMap},
 * {@code InputTemplate}), rendered as EventBridge renders it: each {@code <name>} of the template
 * is replaced by the value its path selects in the event, as JSON where it stands outside a string
 * (a string value gets its quotes) and as the bare text inside a string. Paths take the dot
 * notation with array indices ({@code $.detail.items[0]}); the reserved {@code
 * aws.events.rule-name}, {@code aws.events.rule-arn}, {@code aws.events.event.ingestion-time},
 * {@code aws.events.event} and {@code aws.events.event.json} are known. A path the event lacks
 * renders as {@code null} (an empty text inside a string).
 */
public record InputTransformer(Map<String, String> inputPathsMap, String inputTemplate) {
  private static final Pattern PATH = Pattern.compile("\\$((\\.[A-Za-z0-9_/-]+)|(\\[[0-9]+\\]))*");
  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z0-9_/-]+)|\\[([0-9]+)\\]");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public InputTransformer {
    inputPathsMap = Map.copyOf(inputPathsMap);
    Objects.requireNonNull(inputTemplate, "inputTemplate");
    for (Map.Entry<String, String> path : inputPathsMap.entrySet()) {
      if (!PATH.matcher(path.getValue()).matches()) {
        throw new IllegalArgumentException(
            "InputPathsMap."
                + path.getKey()
                + ": '"
                + path.getValue()
                + "' is not a path this local bus supports (dot notation and [index] only)");
      }
      if (path.getKey().startsWith("aws.events.")) {
        throw new IllegalArgumentException(
            "InputPathsMap." + path.getKey() + ": aws.events.* names are reserved");
      }
    }
  }

  /** From the {@code InputTransformer} object of a synthesized template's rule target. */
  public static InputTransformer fromTemplate(JsonNode transformer) {
    Map<String, String> paths = new LinkedHashMap<>();
    transformer
        .path("InputPathsMap")
        .fields()
        .forEachRemaining(e -> paths.put(e.getKey(), e.getValue().asText()));
    JsonNode template = transformer.get("InputTemplate");
    if (template == null || !template.isTextual()) {
      throw new IllegalArgumentException("InputTransformer has no InputTemplate string");
    }
    return new InputTransformer(paths, template.asText());
  }

  /** The target's input for {@code eventJson}, delivered by rule {@code ruleName}. */
  public String render(String eventJson, String ruleName, String ruleArn) {
    JsonNode event;
    try {
      event = MAPPER.readTree(eventJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("the event is not JSON", e);
    }
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < inputTemplate.length(); i++) {
      char c = inputTemplate.charAt(i);
      if (inString && c == '\\' && i + 1 < inputTemplate.length()) {
        out.append(c).append(inputTemplate.charAt(++i));
        continue;
      }
      if (c == '"') {
        inString = !inString;
      }
      int close = c == '<' ? inputTemplate.indexOf('>', i) : -1;
      String name = close > i ? inputTemplate.substring(i + 1, close) : null;
      JsonNode value = name == null ? null : variable(name, event, ruleName, ruleArn);
      if (value == null) {
        out.append(c);
        continue;
      }
      if (!inString) {
        out.append(value.isMissingNode() ? "null" : value.toString());
      } else if (!value.isMissingNode() && !value.isNull()) {
        String text = value.isTextual() ? value.asText() : value.toString();
        String quoted = new TextNode(text).toString();
        out.append(quoted, 1, quoted.length() - 1); // escaped, so the input stays JSON
      }
      i = close;
    }
    return out.toString();
  }

  /** The value of {@code <name>}, or null if the template's text is not a variable. */
  private JsonNode variable(String name, JsonNode event, String ruleName, String ruleArn) {
    switch (name) {
      case "aws.events.rule-name":
        return MAPPER.getNodeFactory().textNode(ruleName);
      case "aws.events.rule-arn":
        return MAPPER.getNodeFactory().textNode(ruleArn);
      case "aws.events.event.ingestion-time":
        return event.path("time");
      case "aws.events.event.json":
        return event;
      case "aws.events.event":
        return ((ObjectNode) event.deepCopy()).without("detail");
      default:
        String path = inputPathsMap.get(name);
        if (path == null) {
          return null;
        }
        JsonNode node = event;
        Matcher step = STEP.matcher(path.substring(1));
        while (step.find() && !node.isMissingNode()) {
          node =
              step.group(1) != null
                  ? node.path(step.group(1))
                  : node.path(Integer.parseInt(step.group(2)));
        }
        return node;
    }
  }
}
