package example;

/** Its name ends in NonRetryable: hubspoke fails the task without retrying it. */
public class BadItemNonRetryable extends RuntimeException {
  public BadItemNonRetryable(String message) {
    super(message);
  }
}
