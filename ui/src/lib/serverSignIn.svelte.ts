/**
 * Signing in to servers and out of them: which sign-ins wait for the person in the browser, why the last one failed
 * (with what to do next), and the sign-out confirmation. The server's own `state.auth` follows the events.
 */
import { api } from "./api";
import type { ServerAuth, ServerView } from "./bindings";
import { toFailure } from "./errors";
import { signInProblem, signOutResult, type SignInProblem } from "./serverAuth";
import { servers } from "./servers.svelte";
import { confirmer, toasts } from "./ui.svelte";

export class SignInModel {
  /** Sign-ins waiting for the person in the browser, by server id. */
  waiting = $state<Record<string, boolean>>({});
  /** Why the last sign-in failed, by server id (cleared by the next attempt). */
  problems = $state<Record<string, SignInProblem>>({});
  signingOut = $state<Record<string, boolean>>({});

  readonly #apply: (serverId: string, auth: ServerAuth) => void;
  /** Sign-ins the person cancelled: their "cancelled" answer is not a problem to show. */
  #cancelled = new Set<string>();

  constructor(apply: (serverId: string, auth: ServerAuth) => void) {
    this.#apply = apply;
  }

  /** Opens the browser and waits until the person is done (or cancels); the server reconnects on its own. */
  async signIn(server: Pick<ServerView, "id" | "title">): Promise<void> {
    const id = server.id;
    if (this.waiting[id]) return;
    this.#cancelled.delete(id);
    this.waiting = { ...this.waiting, [id]: true };
    this.#clearProblem(id);
    try {
      const auth = await api.serverSignIn(id);
      this.#apply(id, auth);
      toasts.success(`Signed in to “${server.title}”`, "The tokens are in your system keychain.");
    } catch (e) {
      if (!this.#cancelled.has(id)) {
        this.problems = { ...this.problems, [id]: signInProblem(toFailure(e).error) };
      }
    } finally {
      this.#cancelled.delete(id);
      const { [id]: _done, ...rest } = this.waiting;
      this.waiting = rest;
    }
  }

  /** Stops waiting for the browser; the pending `signIn` then ends without a problem to show. */
  async cancel(serverId: string): Promise<void> {
    if (!this.waiting[serverId]) return;
    this.#cancelled.add(serverId);
    try {
      await api.serverSignInCancel(serverId);
    } catch (e) {
      this.#cancelled.delete(serverId);
      toasts.error("Couldn't cancel the sign-in", e);
    }
  }

  /** Asks, then signs out: the tokens are revoked where the provider allows it and deleted from the keychain. */
  async signOut(server: ServerView, authorizerTitle: string | null = null): Promise<boolean> {
    const id = server.id;
    if (this.signingOut[id]) return false;
    const viaAuthorizer = server.state.auth.kind === "oauth2";
    const ok = await confirmer.ask({
      title: `Sign out of “${server.title}”?`,
      message: "Atrium revokes the tokens where the provider allows it and deletes them from your keychain. The server then asks you to sign in again.",
      detail: viaAuthorizer
        ? `This disconnects the Authorizer${authorizerTitle ? ` “${authorizerTitle}”` : ""}: every server that signs in through it is signed out.`
        : "",
      okLabel: "Sign out",
    });
    if (!ok) return false;
    this.signingOut = { ...this.signingOut, [id]: true };
    this.#clearProblem(id);
    try {
      const revoked = await api.serverSignOut(id);
      toasts.success(`Signed out of “${server.title}”`, signOutResult(revoked));
      return true;
    } catch (e) {
      toasts.error(`Couldn't sign out of “${server.title}”`, e);
      return false;
    } finally {
      const { [id]: _done, ...rest } = this.signingOut;
      this.signingOut = rest;
    }
  }

  dismiss(serverId: string): void {
    this.#clearProblem(serverId);
  }

  #clearProblem(id: string): void {
    if (!(id in this.problems)) return;
    const { [id]: _p, ...rest } = this.problems;
    this.problems = rest;
  }
}

export const signIns = new SignInModel((id, auth) => servers.onAuth(id, auth));
