/**
 * The artifact editor's text area: CodeMirror 6 with line numbers, folding, search and replace, bracket
 * matching, JSON or Markdown highlighting and the store's problems marked in place. This module is only ever
 * loaded through a dynamic import (see CodeEditor.svelte), so none of it weighs on the first screen.
 *
 * One editor view is kept while the artifact changes; each artifact's EditorState (its text, selection and
 * undo history) is kept by key, so going back to an artifact brings its undo history back with it.
 */
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import {
  bracketMatching,
  codeFolding,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  LanguageSupport,
  syntaxHighlighting,
} from "@codemirror/language";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";
import { type EditorLanguage, type EditorMark, formatJson } from "./editorProblems";
import { lazy } from "./lazy";
import { jsonSchemaCompletion } from "./schemaCompletion";

/** Colours from the app's theme variables, so light and dark follow the app without a second style. */
const highlight = HighlightStyle.define([
  { tag: [t.propertyName], color: "var(--code-key)" },
  { tag: [t.string, t.special(t.string)], color: "var(--code-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--code-literal)" },
  { tag: [t.heading], color: "var(--text-strong)", fontWeight: "600" },
  { tag: [t.emphasis], fontStyle: "italic" },
  { tag: [t.strong], fontWeight: "600" },
  { tag: [t.link, t.url], color: "var(--accent-text)" },
  { tag: [t.monospace], color: "var(--code-string)" },
  { tag: [t.quote], color: "var(--text-muted)" },
  { tag: [t.processingInstruction, t.meta, t.punctuation, t.separator], color: "var(--text-faint)" },
  { tag: [t.invalid], color: "var(--danger)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "12.5px", backgroundColor: "var(--bg-input)", color: "var(--text)" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-content": { padding: "8px 0", caretColor: "var(--text)" },
  ".cm-cursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--bg-sunken)", color: "var(--text-faint)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--bg-hover) 55%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--bg-hover)", color: "var(--text-muted)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--bg-selected) !important" },
  ".cm-searchMatch": { backgroundColor: "var(--mark-bg)", color: "var(--mark-text)" },
  ".cm-panels": { backgroundColor: "var(--bg-raised)", color: "var(--text)", borderColor: "var(--border)" },
  ".cm-panels input, .cm-panels button": { fontFamily: "var(--font-ui)", fontSize: "12px" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--bg-sunken)", border: "1px solid var(--border)", color: "var(--text-muted)" },
  ".cm-tooltip": { backgroundColor: "var(--bg-elevated)", border: "1px solid var(--border-strong)", color: "var(--text)" },
  // The problem stands out on its own character (a wavy line under one comma is easy to miss).
  ".cm-lintRange-error": {
    backgroundImage: "none",
    backgroundColor: "var(--danger-soft)",
    textDecoration: "underline wavy var(--danger)",
    textUnderlineOffset: "3px",
    borderRadius: "2px",
  },
});

// Markdown without `markdown()`'s embedded HTML, CSS and JavaScript parsers: they would triple this chunk for
// the rare HTML block, which then shows as plain text. It is a chunk of its own, fetched the first time a
// Markdown text is opened (editing JSON never needs it); until it arrives the text shows plain.
let markdownSupport: LanguageSupport | null = null;
const loadMarkdown = lazy(() =>
  // Destructured where it is imported, so that the bundler keeps only this export of the package.
  import("@codemirror/lang-markdown").then(({ markdownLanguage }) => (markdownSupport = new LanguageSupport(markdownLanguage))),
);

function languageOf(lang: EditorLanguage): Extension {
  return lang === "json" ? json() : lang === "markdown" ? (markdownSupport ?? []) : [];
}

export interface CodeEditorOptions {
  /** Called with the whole text after every change (the caller decides how often to look at it). */
  onChange(text: string): void;
  /** Attributes of the editable element (test ids, labels). */
  attributes: Record<string, string>;
}

/** Texts from this many characters on are reported after a pause in typing. */
const LARGE = 512 * 1024;

/** States kept for artifacts not on screen; the oldest goes first past this many. */
const KEPT_STATES = 24;

export class CodeEditor {
  readonly view: EditorView;
  #language = new Compartment();
  #readOnly = new Compartment();
  #wrap = new Compartment();
  #completion = new Compartment();
  #schema: object | null = null;
  #states = new Map<string, EditorState>();
  #key = "";
  #lang: EditorLanguage = "plain";
  #opts: CodeEditorOptions;
  /** Set while the text is replaced from outside, so that the change is not reported back as an edit. */
  #applying = false;
  /** The text last reported or set: the caller hands it back on every change, and comparing it is free. */
  #last = "";
  #pending: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(parent: HTMLElement, opts: CodeEditorOptions) {
    this.#opts = opts;
    this.view = new EditorView({ parent, state: this.#newState("", "plain", false) });
    // Tests and assistive tools read the text the way they read a textarea's.
    Object.defineProperty(this.view.contentDOM, "value", { get: () => this.view.state.doc.toString() });
  }

  #extensions(lang: EditorLanguage, readOnly: boolean): Extension[] {
    return [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      codeFolding(),
      foldGutter(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      search({ top: true }),
      lintGutter(),
      syntaxHighlighting(highlight),
      EditorState.tabSize.of(2),
      // Tab indents inside the editor; Escape then Tab still leaves it (CodeMirror's own rule for focus traps).
      this.#completion.of(this.#completionOf(this.#schema)),
      keymap.of([
        // While the completion list is open, Enter, arrows and Escape are its own (Escape then does not leave).
        ...completionKeymap,
        { key: "Shift-Alt-f", run: () => this.format(), preventDefault: true },
        { key: "Mod-s", run: () => (this.flush(), false) },
        ...searchKeymap,
        ...foldKeymap,
        ...historyKeymap,
        // Ctrl+Enter is the app's (run a tool, submit), not "insert a blank line".
        ...defaultKeymap.filter((b) => b.key !== "Mod-Enter"),
        indentWithTab,
      ]),
      this.#language.of(languageOf(lang)),
      this.#readOnly.of(EditorState.readOnly.of(readOnly)),
      this.#wrap.of(lang === "json" ? [] : EditorView.lineWrapping),
      EditorView.contentAttributes.of(this.#opts.attributes),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !this.#applying) this.#changed();
      }),
      // A large text is handed over after a pause in typing rather than on every key (copying MiBs per key
      // would make typing lag); saving (Ctrl+S, or the Save button, which takes the focus) hands it over first.
      EditorView.domEventHandlers({ blur: () => this.flush() }),
      theme,
    ];
  }

  #completionOf(schema: object | null): Extension {
    return schema ? autocompletion({ override: [jsonSchemaCompletion(schema)], defaultKeymap: false }) : [];
  }

  /** Completes JSON from a JSON Schema (property names and allowed values at the cursor's path); null: none. */
  setCompletion(schema: object | null): void {
    if (schema === this.#schema) return;
    this.#schema = schema;
    this.view.dispatch({ effects: this.#completion.reconfigure(this.#completionOf(schema)) });
  }

  #changed(): void {
    if (this.view.state.doc.length < LARGE) {
      this.flush();
      return;
    }
    if (this.#pending !== null) clearTimeout(this.#pending);
    this.#pending = setTimeout(() => this.flush(), 250);
  }

  /** Reports the text now if a change is waiting. */
  flush(): void {
    if (this.#pending !== null) {
      clearTimeout(this.#pending);
      this.#pending = null;
    }
    const text = this.view.state.doc.toString();
    if (text === this.#last) return;
    this.#last = text;
    this.#opts.onChange(text);
  }

  #newState(text: string, lang: EditorLanguage, readOnly: boolean): EditorState {
    return EditorState.create({ doc: text, extensions: this.#extensions(lang, readOnly) });
  }

  /**
   * Shows the artifact `key` with `text`. Its earlier state (undo history, cursor) comes back when its text is
   * still the same; otherwise it starts afresh.
   */
  open(key: string, text: string, lang: EditorLanguage, readOnly: boolean): void {
    if (key === this.#key) {
      this.setText(text);
      this.setLanguage(lang);
      this.setReadOnly(readOnly);
      return;
    }
    this.flush();
    if (this.#key) {
      this.#states.delete(this.#key);
      this.#states.set(this.#key, this.view.state);
      while (this.#states.size > KEPT_STATES) this.#states.delete(this.#states.keys().next().value as string);
    }
    this.#key = key;
    const kept = this.#states.get(key);
    const state = kept && kept.doc.length === text.length && kept.doc.toString() === text ? kept : this.#newState(text, lang, readOnly);
    this.#last = text;
    this.view.setState(state);
    // A kept state has the language and mode it had then; the type may have changed since.
    this.#lang = lang;
    this.#reconfigure(lang);
    this.setReadOnly(readOnly);
  }

  /** Forgets an artifact's kept state (after it was deleted, or its draft discarded). */
  forget(key: string): void {
    this.#states.delete(key);
  }

  /** Replaces the text when it changed outside the editor (reload, restore, a discarded draft). Undoable. */
  setText(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    const doc = this.view.state.doc;
    if (doc.length === text.length && doc.toString() === text) return;
    this.#applying = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: doc.length, insert: text } });
    } finally {
      this.#applying = false;
    }
  }

  setLanguage(lang: EditorLanguage): void {
    if (lang === this.#lang) return;
    this.#lang = lang;
    this.#reconfigure(lang);
  }

  #reconfigure(lang: EditorLanguage): void {
    if (lang === "markdown" && !markdownSupport) {
      loadMarkdown().then(
        () => {
          if (this.#lang === "markdown" && !this.#destroyed) this.#reconfigure("markdown");
        },
        () => {
          /* the chunk did not load: the text stays plain */
        },
      );
    }
    // JSON keeps its lines (folding shows the structure); prose wraps.
    this.view.dispatch({ effects: [this.#language.reconfigure(languageOf(lang)), this.#wrap.reconfigure(lang === "json" ? [] : EditorView.lineWrapping)] });
  }

  setReadOnly(readOnly: boolean): void {
    if (this.view.state.readOnly === readOnly) return;
    this.view.dispatch({ effects: this.#readOnly.reconfigure(EditorState.readOnly.of(readOnly)) });
  }

  /** The store's problems, marked where they are (underlined, with a gutter marker and the message on hover). */
  setMarks(marks: readonly EditorMark[]): void {
    const len = this.view.state.doc.length;
    const diagnostics: Diagnostic[] = marks.map((m) => ({
      from: Math.min(m.from, len),
      to: Math.min(m.to, len),
      severity: "error",
      message: m.message,
    }));
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** Re-indents JSON (one undoable change); false when it is not JSON or does not parse. */
  format(): boolean {
    if (this.#lang !== "json" || this.view.state.readOnly) return false;
    const pretty = formatJson(this.view.state.doc.toString());
    if (pretty === null) return false;
    const doc = this.view.state.doc;
    if (doc.toString() === pretty) return true;
    this.view.dispatch({ changes: { from: 0, to: doc.length, insert: pretty }, userEvent: "input.format" });
    return true;
  }

  /** Puts the cursor on a range and scrolls it into view. */
  select(from: number, to: number): void {
    const len = this.view.state.doc.length;
    this.view.dispatch({ selection: { anchor: Math.min(from, len), head: Math.min(to, len) }, scrollIntoView: true });
    this.view.focus();
  }

  focus(): void {
    this.view.focus();
  }

  get lineCount(): number {
    return this.view.state.doc.lines;
  }

  destroy(): void {
    this.#destroyed = true;
    this.flush();
    this.view.destroy();
    this.#states.clear();
  }
}
