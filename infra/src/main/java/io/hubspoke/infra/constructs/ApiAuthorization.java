package io.hubspoke.infra.constructs;

/** How callers of the HTTP API ({@link HubHttpApi}) authenticate. */
public enum ApiAuthorization {
  /** SigV4-signed requests, authorized by IAM (the default). */
  IAM,
  /** No authorization at all: for a throwaway development stack only. */
  NONE
}
