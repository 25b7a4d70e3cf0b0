/**
 * `ssh://` targets for nixos-via, on ssh2: {@link createSshTarget}.
 *
 * @packageDocumentation
 */
export { resolveSshHost, type SshHost, type SshHostOverrides } from "./config/resolveSshHost.js";
export { createSshTarget, type SshTarget, type SshTargetOptions } from "./createSshTarget.js";
export { SshConfigError, SshConnectError, SshHostKeyMismatchError, SshHostKeyUnknownError, SshSudoError } from "./errors.js";
export { fingerprint, judgeHostKey, knownHostsName, parseKnownHosts, type HostKeyVerdict, type KnownHostEntry } from "./hostKeys/knownHosts.js";
export { SystemNotUpError, waitForSystem, type WaitForSystemOptions } from "./waitForSystem.js";
