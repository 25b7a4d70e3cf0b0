/** Where a root keeps Nix's state and the system profile, as nix-env lays them out. */
export interface ProfilePaths {
  /** `ROOT/nix/var/nix`, or `/nix/var/nix` for the running system. */
  readonly state: string;
  /** `…/profiles`, which holds `system` and the `system-N-link`s. */
  readonly profiles: string;
  /** `…/profiles/system`, the current generation. */
  readonly system: string;
  /** `…/profiles/system-N-link`. */
  link(generation: number): string;
}

/**
 * The system profile's paths under a root: the one place they are built.
 *
 * @example
 * ```ts
 * profilePaths("/mnt").link(3) // "/mnt/nix/var/nix/profiles/system-3-link"
 * ```
 */
export function profilePaths(root: string): ProfilePaths {
  const state = `${root === "/" ? "" : root.replace(/\/+$/, "")}/nix/var/nix`;
  const profiles = `${state}/profiles`;
  return { state, profiles, system: `${profiles}/system`, link: (n) => `${profiles}/${generationLinkName(n)}` };
}

/**
 * The name of generation N's link, `system-N-link`.
 *
 * @example
 * ```ts
 * generationLinkName(3) // "system-3-link"
 * ```
 */
export function generationLinkName(generation: number): string {
  return `system-${generation}-link`;
}

/**
 * Reads N out of `system-N-link` (or a path ending in it); undefined for anything else.
 *
 * @example
 * ```ts
 * parseGenerationLink("/nix/var/nix/profiles/system-3-link") // 3
 * ```
 */
export function parseGenerationLink(text: string): number | undefined {
  const m = /^(?:.*\/)?system-(\d+)-link$/.exec(text);
  return m === null ? undefined : Number(m[1]);
}
