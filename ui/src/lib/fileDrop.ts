/**
 * Files dropped on the window (the shell leaves drag and drop to the page, so dropped files arrive as DOM `File`s,
 * read here; no path ever reaches the backend). `fileDrop` is a Svelte action: while files are dragged over the
 * element it sets `dropping`, and on drop hands over each file's name and text.
 */
export interface DroppedFile {
  name: string;
  text: string;
}

/** Files over this size are not read (an artifact holds at most 32 MiB; a config file is small). */
export const MAX_DROPPED_BYTES = 32 * 1024 * 1024;

function hasFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes("Files");
}

/** The dropped files' names and texts (those too big are named in `skipped`). */
export async function readDropped(files: readonly File[]): Promise<{ read: DroppedFile[]; skipped: string[] }> {
  const read: DroppedFile[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    if (f.size > MAX_DROPPED_BYTES) skipped.push(f.name);
    else read.push({ name: f.name, text: await f.text() });
  }
  return { read, skipped };
}

export interface FileDropOptions {
  ondrop: (files: File[]) => void;
  ondragging?: (dragging: boolean) => void;
}

export function fileDrop(node: HTMLElement, options: FileDropOptions) {
  let opts = options;
  // dragenter/leave fire for every child crossed: count them to know when the files left the element.
  let depth = 0;
  const set = (d: boolean) => opts.ondragging?.(d);
  const enter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (depth++ === 0) set(true);
  };
  const over = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault(); // allows the drop
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
  };
  const leave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    if (--depth <= 0) {
      depth = 0;
      set(false);
    }
  };
  const drop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    set(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length > 0) opts.ondrop(files);
  };
  node.addEventListener("dragenter", enter);
  node.addEventListener("dragover", over);
  node.addEventListener("dragleave", leave);
  node.addEventListener("drop", drop);
  return {
    update(next: FileDropOptions) {
      opts = next;
    },
    destroy() {
      node.removeEventListener("dragenter", enter);
      node.removeEventListener("dragover", over);
      node.removeEventListener("dragleave", leave);
      node.removeEventListener("drop", drop);
    },
  };
}
