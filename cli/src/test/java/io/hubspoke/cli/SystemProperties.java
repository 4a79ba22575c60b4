package io.hubspoke.cli;

import java.util.HashMap;
import java.util.Map;

/** System properties a test class sets (e.g. the SDK's credentials file), restored after it. */
final class SystemProperties {
  private final Map<String, String> saved = new HashMap<>();

  void set(String name, String value) {
    saved.putIfAbsent(name, System.getProperty(name));
    System.setProperty(name, value);
  }

  void restore() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
    saved.clear();
  }
}
