/**
 * The environment for Nix commands on this machine: the user's own `NIX_CONFIG` plus the
 * experimental features nixos-via reads with (`nix path-info --json`, flakes).
 */
export function nixEnv(): Record<string, string> {
  const own = process.env["NIX_CONFIG"];
  return {
    NIX_CONFIG: `${own ? `${own}\n` : ""}extra-experimental-features = nix-command flakes`,
  };
}
