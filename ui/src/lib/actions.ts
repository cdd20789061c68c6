/** Focuses (and optionally selects) an element as soon as it is mounted. */
export function focusOnMount(node: HTMLInputElement | HTMLTextAreaElement | HTMLElement, select = false) {
  queueMicrotask(() => {
    node.focus();
    if (select && (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement)) node.select();
  });
}
