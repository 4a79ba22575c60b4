package io.hubspoke.contract.validation;

import io.hubspoke.contract.HubspokeException;
import java.util.List;

/** Input that was rejected before anything was written. Maps to HTTP 400. */
public class InvalidInputException extends HubspokeException {
  private final List<FieldError> errors;

  public InvalidInputException(List<FieldError> errors) {
    super(summarize(errors));
    this.errors = List.copyOf(errors);
  }

  public InvalidInputException(String field, String message, String fix) {
    this(List.of(new FieldError(field, message, fix)));
  }

  public List<FieldError> errors() {
    return errors;
  }

  private static String summarize(List<FieldError> errors) {
    if (errors.isEmpty()) {
      return "invalid input";
    }
    FieldError first = errors.get(0);
    String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "";
    return first.field() + ": " + first.message() + more;
  }
}
