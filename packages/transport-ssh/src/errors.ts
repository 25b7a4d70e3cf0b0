import { NixosViaError } from "@nixos-via/core";

/** The host presented a key that is in no known_hosts file. */
export class SshHostKeyUnknownError extends NixosViaError {
  declare readonly code: "SSH_HOST_KEY_UNKNOWN";
  readonly fingerprint: string;
  constructor(host: string, fingerprint: string, knownHosts: string) {
    super(
      "SSH_HOST_KEY_UNKNOWN",
      `${host} presented an unknown host key ${fingerprint} (not in ${knownHosts}); check it, then pass --accept-new-host-key to trust and record it`,
    );
    this.fingerprint = fingerprint;
  }
}

/** The host presented a key other than the one recorded for it: refused, always. */
export class SshHostKeyMismatchError extends NixosViaError {
  declare readonly code: "SSH_HOST_KEY_MISMATCH";
  readonly fingerprint: string;
  /** `expected` names the key it should have been when that is not the recorded one. */
  constructor(host: string, fingerprint: string, knownHosts: string, expected?: string) {
    super(
      "SSH_HOST_KEY_MISMATCH",
      expected === undefined
        ? `${host} presented host key ${fingerprint}, which differs from the key recorded in ${knownHosts}: refusing (someone may be intercepting the connection); if the host was reinstalled, remove its old entry with ssh-keygen -R`
        : `${host} presented host key ${fingerprint}, which is not ${expected}: refusing (someone may be intercepting the connection)`,
    );
    this.fingerprint = fingerprint;
  }
}

/** An SSH config file that cannot be parsed. */
export class SshConfigError extends NixosViaError {
  declare readonly code: "SSH_CONFIG";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("SSH_CONFIG", message, options);
  }
}

/** Connecting or logging in failed. */
export class SshConnectError extends NixosViaError {
  declare readonly code: "SSH_CONNECT";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("SSH_CONNECT", message, options);
  }
}

/** sudo refused: no password given, a wrong one, or the user may not use sudo. */
export class SshSudoError extends NixosViaError {
  declare readonly code: "SSH_SUDO";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("SSH_SUDO", message, options);
  }
}
