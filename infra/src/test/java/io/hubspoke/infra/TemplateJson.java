package io.hubspoke.infra;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * Small helpers to walk a synthesized template held as maps and lists, and to name a construct's
 * resource as the template does. The whole-stack tests and the construct tests share them.
 */
public final class TemplateJson {
  private TemplateJson() {}

  /** Follows {@code path} (map keys, or list indexes as Integers) from {@code root}. */
  @SuppressWarnings("unchecked")
  public static <T> T at(Object root, Object... path) {
    Object current = root;
    for (Object step : path) {
      assertNotNull(current, "nothing at " + List.of(path));
      current =
          step instanceof Integer i
              ? ((List<Object>) current).get(i)
              : ((Map<?, ?>) current).get(step);
    }
    return (T) current;
  }

  /** The resources of {@code type}, by logical id. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> resources(Synth.Result result, String type) {
    Map<String, Map<String, Object>> found = new LinkedHashMap<>();
    Map<String, Object> resources = at(result.json(), "Resources");
    resources.forEach(
        (id, resource) -> {
          Map<String, Object> r = (Map<String, Object>) resource;
          if (type.equals(r.get("Type"))) {
            found.put(id, r);
          }
        });
    return found;
  }

  /** The properties of the resource with this logical id. */
  static Map<String, Object> properties(Synth.Result result, String logicalId) {
    Map<String, Object> props = at(result.json(), "Resources", logicalId, "Properties");
    assertNotNull(props, "no resource " + logicalId);
    return props;
  }

  /** Lists a scalar-or-list field as a list. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object value) {
    return value instanceof List<?> l ? (List<Object>) l : List.of(value);
  }

  /** Logical id, in {@code stack}, of the L1 resource behind {@code construct}. */
  public static String logicalId(Stack stack, IConstruct construct) {
    IConstruct resource = construct.getNode().getDefaultChild();
    return stack.getLogicalId((CfnElement) (resource == null ? construct : resource));
  }

  /** {@code {"Ref": <logical id>}} of {@code construct}. */
  public static Map<String, Object> ref(Stack stack, IConstruct construct) {
    return Map.of("Ref", logicalId(stack, construct));
  }

  /** {@code {"Fn::GetAtt": [<logical id>, attribute]}} of {@code construct}. */
  public static Map<String, Object> getAtt(Stack stack, IConstruct construct, String attribute) {
    return Map.of("Fn::GetAtt", List.of(logicalId(stack, construct), attribute));
  }
}
