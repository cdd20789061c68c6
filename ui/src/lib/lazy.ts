/**
 * Loads a module once, on first use, so its code stays out of the start-up bundle (Vite makes it a chunk of
 * its own). Every later call returns the same promise.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | null = null;
  return () => (promise ??= load());
}
