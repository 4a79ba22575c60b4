package io.hubspoke.local.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The route keys of an HTTP API ({@code GET /runs/{runId}}, {@code ANY /files/{proxy+}}) and which
 * one a request matches, as API Gateway chooses: literal beats parameter beats greedy, a method
 * beats {@code ANY}. A request no route matches goes to {@code $default}.
 */
final class HttpApiRoutes {
  /** A parsed route key. */
  record Route(String key, String method, List<String> segments) {
    static Route parse(String key) {
      String[] parts = key.trim().split("\\s+");
      if (parts.length != 2 || !parts[1].startsWith("/")) {
        throw new IllegalArgumentException("route must look like 'GET /path/{param}': " + key);
      }
      List<String> segments = splitPath(parts[1]);
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i).endsWith("+}") && i != segments.size() - 1) {
          throw new IllegalArgumentException("a greedy {name+} must be last: " + key);
        }
      }
      return new Route(
          parts[0].toUpperCase(Locale.ROOT) + " " + parts[1],
          parts[0].toUpperCase(Locale.ROOT),
          segments);
    }

    boolean greedy() {
      return !segments.isEmpty() && segments.get(segments.size() - 1).endsWith("+}");
    }

    long literals() {
      return segments.stream().filter(s -> !s.startsWith("{")).count();
    }
  }

  /** The route a request matched and the values of its path parameters, decoded. */
  record Match(Route route, Map<String, String> pathParameters) {}

  private final List<Route> routes;

  HttpApiRoutes(List<Route> routes) {
    this.routes = List.copyOf(routes);
  }

  private static List<String> splitPath(String path) {
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    return segments;
  }

  /** The most specific matching route: literal beats parameter beats greedy, method beats ANY. */
  Optional<Match> match(String method, String rawPath) {
    List<String> path = splitPath(rawPath);
    List<Match> matches = new ArrayList<>();
    for (Route route : routes) {
      if (!route.method().equals(method) && !route.method().equals("ANY")) {
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>();
      if (matches(route.segments(), path, params)) {
        matches.add(new Match(route, params));
      }
    }
    return matches.stream()
        .min(
            Comparator.comparing((Match m) -> m.route().greedy())
                .thenComparing(m -> -m.route().literals())
                .thenComparing(m -> m.route().method().equals("ANY")));
  }

  private static boolean matches(
      List<String> template, List<String> path, Map<String, String> params) {
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      if (t.startsWith("{") && t.endsWith("+}")) {
        if (i >= path.size()) {
          return false; // a greedy parameter needs at least one segment
        }
        params.put(
            t.substring(1, t.length() - 2), decode(String.join("/", path.subList(i, path.size()))));
        return true;
      }
      if (i >= path.size()) {
        return false;
      }
      if (t.startsWith("{") && t.endsWith("}")) {
        params.put(t.substring(1, t.length() - 1), decode(path.get(i)));
      } else if (!t.equals(path.get(i))) {
        return false;
      }
    }
    return template.size() == path.size();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
