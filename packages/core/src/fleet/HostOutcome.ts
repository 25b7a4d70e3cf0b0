/**
 * How one host ended in a rollout. `confirmed` and `unchanged` are the good ends: a
 * rollout succeeds when every selected host ends with one of them.
 */
export type HostOutcome =
  | { readonly kind: "confirmed"; readonly action: "install" | "deploy"; readonly generation: number }
  | { readonly kind: "unchanged" }
  | {
      readonly kind: "failed";
      readonly action: "install" | "deploy";
      readonly code: string;
      readonly message: string;
      /** The host runs its previous generation again (magic rollback, or the fleet's rollback of a stored root). */
      readonly rolledBack: boolean;
    }
  /** It was running when the rollout was stopped (Ctrl-C); its operation ended as it does on its own. */
  | {
      readonly kind: "aborted";
      readonly action: "install" | "deploy";
      readonly message: string;
      /** A deploy: the host runs its previous generation (its switch was rolled back, or had not begun). */
      readonly rolledBack: boolean;
    }
  /** Never started: the rollout halted or was stopped first, or the host could not be acted on. */
  | { readonly kind: "not-started"; readonly reason: string };

/** The outcome kinds, for a switch that the compiler checks. */
export type HostOutcomeKind = HostOutcome["kind"];
