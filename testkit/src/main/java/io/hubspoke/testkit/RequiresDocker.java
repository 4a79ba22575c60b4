package io.hubspoke.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the annotated class only where Testcontainers finds a Docker engine; elsewhere the class is
 * reported as skipped, with the reason. The probe runs once per JVM.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {

  final class Condition implements ExecutionCondition {
    private static final Logger LOG = Logger.getLogger(RequiresDocker.class.getName());
    private static Boolean available;
    private static Duration probe;

    static synchronized boolean dockerAvailable() {
      if (available == null) {
        long start = System.nanoTime();
        boolean found;
        try {
          found = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
          found = false;
        }
        probe = Duration.ofNanos(System.nanoTime() - start);
        available = found;
        LOG.info(() -> "Docker engine " + (available ? "found" : "not found") + " in " + probe);
      }
      return available;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (dockerAvailable()) {
        return ConditionEvaluationResult.enabled("a Docker engine is available");
      }
      return ConditionEvaluationResult.disabled(
          "No Docker engine: Testcontainers found none (DOCKER_HOST, the Docker socket,"
              + " ~/.testcontainers.properties; probed in "
              + probe.toMillis()
              + " ms), so the LocalStack variant of this contract is skipped; the same contract"
              + " ran against the embedded engines");
    }
  }
}
