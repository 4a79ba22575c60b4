package io.hubspoke.core.store;

import java.util.List;
import java.util.Optional;

/** One page of a listing and the opaque token of the next one. */
public record Page<T>(List<T> items, Optional<String> nextToken) {}
