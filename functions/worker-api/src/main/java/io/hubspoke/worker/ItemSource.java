package io.hubspoke.worker;

import io.hubspoke.contract.workers.WorkerConfigSchema;

/**
 * Discovers a run's items, page by page, for a run request that names a {@code source} instead of
 * giving {@code items}. Found by name with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.hubspoke.worker.ItemSource}), like a {@link TaskWorker}.
 *
 * <p>The contract, which is what makes discovery resumable:
 *
 * <ul>
 *   <li>{@link #page} for the same config and cursor returns the same items in the same order: the
 *       hub checkpoints the cursor with the run and may ask for a page again after a crash, and a
 *       task's position comes from its page and place in it.
 *   <li>The cursor is opaque text of at most {@value ItemPage#MAX_CURSOR_CHARS} characters; {@code
 *       null} asks for the first page, and a page whose {@link ItemPage#nextCursor()} is {@code
 *       null} is the last.
 *   <li>A page holds at most {@value ItemPage#MAX_ITEMS} items and returns by {@link
 *       SourceContext#deadline()}; an expected failure is thrown as {@link ItemSourceException},
 *       with whether asking again may succeed.
 * </ul>
 *
 * <p>{@link #name()} and {@link #validateConfig} work as for a worker: the hub checks a request's
 * {@code source.config} with them before it accepts the run.
 */
public interface ItemSource extends WorkerConfigSchema {
  ItemPage page(SourceContext context) throws InterruptedException;
}
