import type { ConnectionOptions, PipelineEvent } from "@nixos-via/core";
import type { TransportRegistry } from "../transports/createTransportRegistry.js";

/** Options every operation takes. */
export interface OperationOptions {
  /** How to reach a remote target (keys, known hosts, the sudo password prompt). */
  readonly connection?: ConnectionOptions | undefined;
  /** Receives every event of the run, in order: the only progress channel. @default ignore them */
  readonly onEvent?: ((event: PipelineEvent) => void) | undefined;
  /** Stops the run between steps and aborts the running command (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /** Where target URIs are looked up. @default the registry of dir:, disk:, image: and ssh:// */
  readonly registry?: TransportRegistry | undefined;
}
