package io.hubspoke.contract.validation;

/** One problem with an input: which field, what is wrong, and how to fix it. */
public record FieldError(String field, String message, String fix) {}
