package io.hubspoke.core.queue;

import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import org.junit.jupiter.api.AfterAll;

/** The TaskQueue contract against the engines the local runtime embeds; runs in every build. */
class EmbeddedTaskQueueContractIT extends TaskQueueContract {
  static final EmbeddedEngines ENGINES = new EmbeddedEngines();

  @Override
  protected Engines engines() {
    return ENGINES;
  }

  @AfterAll
  static void stop() {
    ENGINES.close();
  }
}
