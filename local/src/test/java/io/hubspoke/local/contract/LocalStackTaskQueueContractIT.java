package io.hubspoke.local.contract;

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
