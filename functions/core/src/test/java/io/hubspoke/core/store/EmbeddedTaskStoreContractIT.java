package io.hubspoke.core.store;

import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import org.junit.jupiter.api.AfterAll;

/** The TaskStore contract against the engines the local runtime embeds; runs in every build. */
class EmbeddedTaskStoreContractIT extends TaskStoreContract {
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
