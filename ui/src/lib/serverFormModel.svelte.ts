/**
 * The add/edit server form: its fields (or its JSON), validation as the user types, test connection, and save.
 * Lives outside the component so that switching screens keeps what was typed.
 */
import { api } from "./api";
import { hasTypedStaticValue } from "./authForm";
import type { ConnectionTest, FieldProblem, JsonValue, Registration, ServerView } from "./bindings";
import { debounce, latestOnly } from "./debounce";
import { ApiFailure, toFailure } from "./errors";
import { secrets } from "./secrets.svelte";
import {
  emptyServerForm,
  formFromRegistration,
  formsDiffer,
  localProblems,
  parseRegistrationText,
  pendingSecrets,
  problemsByFormField,
  registrationFromForm,
  registrationText,
  runsLocally,
  settleNewSecrets,
  type FormField,
  type ServerFormValues,
} from "./serverForm";

export class ServerFormModel {
  readonly mode: "new" | "edit";
  readonly workspaceId: string;
  readonly serverId: string | null;
  version: number;

  values = $state<ServerFormValues>(emptyServerForm());
  /** The registration the form was opened with (or last read from JSON): what it has no field for is kept from here. */
  base = $state.raw<Registration | null>(null);
  jsonMode = $state(false);
  jsonText = $state("");
  /** Why the JSON cannot be shown as fields (or the fields as JSON). */
  jsonError = $state<string | null>(null);
  /** What the backend says is wrong with the registration as typed. */
  problems = $state<FieldProblem[]>([]);
  validating = $state(false);
  /** Problems show once a field was edited, or after a save attempt. */
  touched = $state<Partial<Record<FormField, boolean>>>({});
  showAll = $state(false);
  testing = $state(false);
  test = $state<ConnectionTest | null>(null);
  testFailure = $state<ApiFailure | null>(null);
  /** The registration the last test connected with, to tell when the fields changed since. */
  testedFor = $state<string | null>(null);
  saving = $state(false);
  /** The server changed elsewhere since the form was opened. */
  conflict = $state(false);
  /** Bumped to ask the view to focus a field. */
  focusRequest = $state<{ field: FormField; n: number }>({ field: "title", n: 0 });

  #initial: ServerFormValues = emptyServerForm();
  #initialJson = "";
  #validateTicket = latestOnly();
  #testTicket = latestOnly();
  #validator = debounce(() => void this.validateNow(), 200);

  constructor(init: { mode: "new"; workspaceId: string } | { mode: "edit"; server: ServerView }) {
    this.mode = init.mode;
    if (init.mode === "new") {
      this.workspaceId = init.workspaceId;
      this.serverId = null;
      this.version = 0;
    } else {
      // A plain copy: the list's servers are reactive proxies, which structuredClone refuses.
      const s = $state.snapshot(init.server as unknown) as ServerView;
      this.workspaceId = s.workspace_id;
      this.serverId = s.id;
      this.version = s.version;
      this.#show(s);
    }
    this.#remember();
  }

  /** What the form holds now is what "changed" is measured against: its fields, and its registration as JSON. */
  #remember(): void {
    this.#initial = structuredClone($state.snapshot(this.values));
    this.#initialJson = this.jsonMode ? this.jsonText : registrationText(registrationFromForm(this.#initial, this.base));
  }

  /** A stored server in the form: its fields, or — when what is stored is not a valid registration — its JSON. */
  #show(s: ServerView): void {
    this.problems = s.problems;
    this.showAll = s.problems.length > 0;
    this.jsonError = null;
    if (s.registration) {
      this.values = formFromRegistration(s.title, s.registration);
      this.base = s.registration;
      this.jsonMode = false;
    } else {
      this.values = { ...emptyServerForm(), title: s.title };
      this.base = null;
      this.jsonMode = true;
      // Its problems show under the JSON: fixed there, it can become fields again.
      this.jsonText = registrationText(s.invalid_registration);
    }
  }

  get dirty(): boolean {
    if (this.jsonMode) return this.jsonText !== this.#initialJson || this.values.title !== this.#initial.title;
    return formsDiffer($state.snapshot(this.values), this.#initial);
  }

  /** What the form describes, to check with `serverValidate`; null when the JSON text does not parse. */
  draft(): JsonValue | null {
    if (!this.jsonMode) return registrationFromForm($state.snapshot(this.values), this.base);
    const p = parseRegistrationText(this.jsonText);
    return p.ok ? p.value : null;
  }

  /**
   * The registration to save or test, once nothing is known to be wrong with it: the form's fields build one, and
   * JSON the backend found no problem with is one. (The title is not part of it: a test needs none.)
   */
  #checked(): Registration | null {
    const own = localProblems(this.values, this.jsonMode).filter((p) => p.field !== "title");
    if (own.length > 0 || this.problems.length > 0) return null;
    if (!this.jsonMode) return registrationFromForm($state.snapshot(this.values), this.base);
    const p = parseRegistrationText(this.jsonText);
    return p.ok ? (p.value as Registration) : null;
  }

  /** Every problem, mapped to form fields (local title checks first). */
  get byField(): Partial<Record<FormField, string[]>> {
    return problemsByFormField([...localProblems(this.values, this.jsonMode), ...this.problems], this.values.kind);
  }

  /** The problems of a field, once the user has been there (or tried to save). */
  shown(field: FormField): string[] {
    return this.showAll || this.touched[field] ? (this.byField[field] ?? []) : [];
  }

  touch(field: FormField): void {
    if (!this.touched[field]) this.touched = { ...this.touched, [field]: true };
  }

  get invalid(): boolean {
    return localProblems(this.values, this.jsonMode).length > 0 || this.problems.length > 0 || (this.jsonMode && this.jsonParseError !== null);
  }

  get jsonParseError(): string | null {
    if (!this.jsonMode) return null;
    const p = parseRegistrationText(this.jsonText);
    return p.ok ? null : p.message;
  }

  scheduleValidate(): void {
    // Why the form could not switch to JSON (or back) described what was typed then: it changed.
    this.jsonError = null;
    this.validating = true;
    // An answer still on its way describes an older text: it must not end `validating` (the JSON editor would
    // mark that text's problems on this one).
    this.#validateTicket.invalidate();
    this.#validator.schedule();
  }

  async validateNow(): Promise<void> {
    this.#validator.cancel();
    const ticket = this.#validateTicket.next();
    const draft = this.draft();
    if (draft === null) {
      // Not JSON: the parse error is shown; nothing to ask the backend.
      this.problems = [];
      this.validating = false;
      return;
    }
    this.validating = true;
    try {
      const problems = await api.serverValidate(draft);
      if (this.#validateTicket.isCurrent(ticket)) this.problems = problems;
    } catch {
      // Advisory only: save validates again.
      if (this.#validateTicket.isCurrent(ticket)) this.problems = [];
    } finally {
      if (this.#validateTicket.isCurrent(ticket)) this.validating = false;
    }
  }

  /**
   * Switches between fields and JSON; false (with `jsonError` set) when it cannot: a typed secret must not show as
   * JSON, and only a registration without problems can become fields.
   */
  async setJsonMode(on: boolean): Promise<boolean> {
    if (on === this.jsonMode) return true;
    if (on && runsLocally(this.values.kind) && pendingSecrets(this.values.env).length > 0) {
      this.jsonError = "A new secret's value cannot be shown as JSON: save the server first (it goes to the keychain), or pick an existing secret.";
      return false;
    }
    if (on && hasTypedStaticValue(this.values.auth)) {
      this.jsonError = "The static header's value cannot be shown as JSON: save the server first (it goes to the keychain), or clear the value.";
      return false;
    }
    if (on) {
      this.jsonText = registrationText(registrationFromForm($state.snapshot(this.values), this.base));
      this.jsonError = null;
      this.jsonMode = true;
      return true;
    }
    const p = parseRegistrationText(this.jsonText);
    if (!p.ok) {
      this.jsonError = p.message;
      return false;
    }
    await this.validateNow();
    if (this.problems.length > 0) {
      this.showAll = true;
      this.jsonError = "Fix the problems named below first: the form can show only a registration without problems.";
      return false;
    }
    // Checked by the backend just now: it is a registration.
    const registration = p.value as Registration;
    this.values = { ...formFromRegistration(this.values.title, registration), title: this.values.title };
    this.base = registration;
    this.jsonError = null;
    this.jsonMode = false;
    return true;
  }

  /** The shown test result describes other settings than the ones now in the form. */
  get testStale(): boolean {
    return this.testedFor !== null && !this.testing && JSON.stringify(this.draft()) !== this.testedFor;
  }

  async testConnection(): Promise<void> {
    this.showAll = true;
    // The problems must describe what is typed now, not a moment ago (a validation may still be waiting).
    if (this.validating) await this.validateNow();
    const registration = this.#checked();
    if (registration === null) {
      // Known problems are already next to their fields: point at the first one rather than ask the backend.
      const first = this.firstInvalidField("title");
      if (first) this.focus(first);
      return;
    }
    const ticket = this.#testTicket.next();
    this.testing = true;
    this.test = null;
    this.testFailure = null;
    this.testedFor = JSON.stringify(this.draft());
    try {
      const result = await api.serverTest(registration);
      if (this.#testTicket.isCurrent(ticket)) this.test = result;
    } catch (e) {
      if (!this.#testTicket.isCurrent(ticket)) return;
      const f = toFailure(e);
      if (f.code === "invalid_input" && f.problems.length > 0) this.problems = f.problems;
      this.testFailure = f;
    } finally {
      if (this.#testTicket.isCurrent(ticket)) this.testing = false;
    }
  }

  /** The first field with a problem, to focus after a refused save. */
  firstInvalidField(skip?: FormField): FormField | null {
    const order: FormField[] = ["title", "kind", "url", "wellKnown", "ownerRepo", "gitRef", "command", "args", "cwd", "env", "auth", "allowedTools", "connectMs", "callMs", "enabled"];
    const by = this.byField;
    return order.find((f) => f !== skip && (by[f]?.length ?? 0) > 0) ?? null;
  }

  focus(field: FormField): void {
    this.focusRequest = { field, n: this.focusRequest.n + 1 };
  }

  /** Saves; returns the saved server, or null when something must be fixed first (shown in the form). */
  async save(): Promise<ServerView | null> {
    if (this.saving) return null;
    this.showAll = true;
    this.saving = true;
    try {
      await this.validateNow();
      const registration = this.#checked();
      if (registration === null || this.invalid) {
        const first = this.firstInvalidField();
        if (first && !this.jsonMode) this.focus(first);
        else if (first === "title") this.focus("title");
        return null;
      }
      const title = this.values.title.trim();
      if (!(await this.#storeNewSecrets(title))) return null;
      if (this.mode === "new") {
        return await api.serverCreate({ workspace_id: this.workspaceId, title, registration });
      }
      const id = this.serverId as string;
      return await api.serverUpdate(id, { expected_version: this.version, title, registration });
    } catch (e) {
      const f = toFailure(e);
      if (f.code === "version_conflict") {
        this.conflict = true;
        return null;
      }
      if (f.code === "invalid_input" && f.problems.length > 0) {
        // The store's title rules come back as `title`; registration problems by their field.
        this.problems = f.problems;
        const first = this.firstInvalidField();
        if (first) this.focus(first);
        return null;
      }
      throw f;
    } finally {
      this.saving = false;
    }
  }

  /**
   * Stores the secrets typed in the form in the keychain, before the registration that refers to them is saved; the
   * rows then refer to them by id and their values leave the form. False (with the problem shown) when one is refused.
   */
  async #storeNewSecrets(title: string): Promise<boolean> {
    if (this.jsonMode || !runsLocally(this.values.kind)) return true;
    const pending = pendingSecrets(this.values.env);
    for (const p of pending) {
      const r = await secrets.save({ id: p.id, description: `${p.name || "Environment variable"} for ${title}`, value: p.value });
      if (!r.ok) {
        if (r.failure) throw r.failure;
        this.problems = r.problems.map((x) => ({ field: `transport.env.${p.name || p.id}`, message: `${p.id}: ${x.message}` }));
        this.focus("env");
        return false;
      }
      // Stored: from now on the row refers to it, and its value is no longer held here.
      this.values.env = this.values.env.map((row) =>
        row.secretId !== null && row.newSecret?.id.trim() === p.id ? settleNewSecrets([row])[0] : row,
      );
    }
    if (pending.length > 0) secrets.invalidate();
    return true;
  }

  /** After a conflict: take the stored version, dropping what was typed. */
  reload(fresh: ServerView): void {
    this.version = fresh.version;
    this.conflict = false;
    this.#show($state.snapshot(fresh as unknown) as ServerView);
    this.#remember();
    void this.validateNow();
  }

  dispose(): void {
    this.#validator.cancel();
    this.#validateTicket.invalidate();
    this.#testTicket.invalidate();
  }
}
