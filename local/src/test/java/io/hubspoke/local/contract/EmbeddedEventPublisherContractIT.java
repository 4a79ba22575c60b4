package io.hubspoke.local.contract;

import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.local.emulator.LocalEventBus;
import java.net.URI;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;

/**
 * The EventPublisher contract against the engines the local runtime embeds; runs in every build.
 */
class EmbeddedEventPublisherContractIT extends EventPublisherContract {
  static final EmbeddedEngines ENGINES =
      new EmbeddedEngines(
          () -> {
            LocalEventBus bus =
                LocalEventBus.builder().busName(Engines.BUS).region("us-east-1").start();
            return new EmbeddedEngines.EmbeddedBus() {
              @Override
              public URI endpoint() {
                return bus.endpoint();
              }

              @Override
              public void addRule(String name, String pattern, Consumer<String> target) {
                bus.addRule(name, pattern, target::accept);
              }

              @Override
              public void close() {
                bus.close();
              }
            };
          });

  @Override
  protected Engines engines() {
    return ENGINES;
  }

  @AfterAll
  static void stop() {
    ENGINES.close();
  }
}
