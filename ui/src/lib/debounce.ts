/** Calls `fn` once `ms` after the last `schedule`; `flush` runs a pending call now; `cancel` drops it. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  return {
    schedule(...args: A) {
      pending = args;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(run, ms);
    },
    flush() {
      if (timer !== null) clearTimeout(timer);
      run();
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
    },
    get pending() {
      return pending !== null;
    },
  };
}

/**
 * Guards against out-of-order async answers: take a ticket before a call, and only apply its
 * result if `isCurrent(ticket)` is still true when it arrives.
 */
export function latestOnly() {
  let counter = 0;
  return {
    next: () => ++counter,
    isCurrent: (ticket: number) => ticket === counter,
    invalidate: () => void ++counter,
  };
}
