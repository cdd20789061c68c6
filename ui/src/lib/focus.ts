/** Focus helpers for modal dialogs. */

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hasAttribute("inert") && el.getClientRects().length > 0,
  );
}

export interface TrapOptions {
  onEscape: () => void;
}

/**
 * Svelte action for a modal: focuses the element marked [data-autofocus] (else the first field,
 * else the first focusable), keeps Tab inside, closes on Escape, and gives focus back to
 * whatever had it before when the dialog goes away.
 */
export function trapFocus(node: HTMLElement, options: TrapOptions) {
  let opts = options;
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  const initial =
    node.querySelector<HTMLElement>("[data-autofocus]") ??
    node.querySelector<HTMLElement>("input:not([disabled]), textarea:not([disabled]), select:not([disabled])") ??
    focusableIn(node)[0] ??
    node;
  queueMicrotask(() => initial.focus());

  function onKeydown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      opts.onEscape();
      return;
    }
    if (e.key !== "Tab") return;
    const items = focusableIn(node);
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !node.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !node.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }

  // Focus that escapes (a click on the backdrop, a programmatic focus) is pulled back in.
  function onFocusIn(e: FocusEvent) {
    if (e.target instanceof Node && !node.contains(e.target)) (focusableIn(node)[0] ?? node).focus();
  }

  node.addEventListener("keydown", onKeydown);
  document.addEventListener("focusin", onFocusIn);
  return {
    update(o: TrapOptions) {
      opts = o;
    },
    destroy() {
      node.removeEventListener("keydown", onKeydown);
      document.removeEventListener("focusin", onFocusIn);
      if (previous && previous.isConnected) queueMicrotask(() => previous.focus());
    },
  };
}
