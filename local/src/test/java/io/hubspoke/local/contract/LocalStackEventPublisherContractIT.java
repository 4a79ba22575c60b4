package io.hubspoke.local.contract;

import io.hubspoke.core.testing.Engines;
import io.hubspoke.core.testing.LocalStackEngines;
import io.hubspoke.testkit.RequiresDocker;

/**
 * The EventPublisher contract against LocalStack, through Testcontainers. Skipped, with the reason,
 * where no Docker engine is available.
 */
@RequiresDocker
class LocalStackEventPublisherContractIT extends EventPublisherContract {
  @Override
  protected Engines engines() {
    return LocalStackEngines.shared();
  }
}
