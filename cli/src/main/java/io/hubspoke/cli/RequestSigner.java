package io.hubspoke.cli;

import java.net.URI;
import java.util.Map;

/** Adds an authorization to a request to the hub's API: none, or SigV4 ({@link SigV4Signer}). */
interface RequestSigner {
  /** Sends requests as they are: `hubspoke serve` and a stack without IAM authorization. */
  RequestSigner NONE =
      new RequestSigner() {
        @Override
        public Map<String, String> headers(
            String method, URI uri, Map<String, String> headers, byte[] body) {
          return Map.of();
        }

        @Override
        public boolean signs() {
          return false;
        }
      };

  /**
   * The headers to add to the request (e.g. {@code Authorization}, {@code X-Amz-Date}).
   *
   * @param headers the headers the request already has, which are signed too
   * @param body the body, empty for none
   */
  Map<String, String> headers(String method, URI uri, Map<String, String> headers, byte[] body);

  /** Whether requests carry a signature (for the advice a 403 gets). */
  boolean signs();
}
