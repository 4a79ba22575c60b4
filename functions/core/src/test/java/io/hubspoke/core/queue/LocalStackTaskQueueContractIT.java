package io.hubspoke.core.queue;

import io.hubspoke.core.testing.Engines;
import io.hubspoke.core.testing.LocalStackEngines;
import io.hubspoke.testkit.RequiresDocker;

/**
 * The TaskQueue contract against LocalStack, through Testcontainers. Skipped, with the reason,
 * where no Docker engine is available.
 */
@RequiresDocker
class LocalStackTaskQueueContractIT extends TaskQueueContract {
  @Override
  protected Engines engines() {
    return LocalStackEngines.shared();
  }
}
