package io.hubspoke.core.store;

import io.hubspoke.core.testing.Engines;
import io.hubspoke.core.testing.LocalStackEngines;
import io.hubspoke.testkit.RequiresDocker;

/**
 * The TaskStore contract against LocalStack, through Testcontainers. Skipped, with the reason,
 * where no Docker engine is available.
 */
@RequiresDocker
class LocalStackTaskStoreContractIT extends TaskStoreContract {
  @Override
  protected Engines engines() {
    return LocalStackEngines.shared();
  }
}
