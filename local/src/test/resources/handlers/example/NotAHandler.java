package example;

/** Implements no handler interface. */
public class NotAHandler {}
