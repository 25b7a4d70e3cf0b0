/**
 * nixos-via, the SDK: install and deploy NixOS systems built on this machine onto a
 * directory, a disk, a disk image, or a machine over SSH. One function per pipeline
 * ({@link install}, {@link deploy}, {@link rollback}, {@link gc}, {@link generations},
 * {@link enter}; containers: {@link startContainer}, {@link stopContainer},
 * {@link containerStatus}, {@link containerLogs}) and one for a network of hosts ({@link deployFleet}), each taking one options object and returning a `ResultAsync` of a
 * typed report; progress arrives only through `onEvent`. Targets are opened through a
 * registry of transports ({@link createTransportRegistry}).
 *
 * @example
 * ```ts
 * import { install, deploy } from "nixos-via";
 * const r = await install({ target: "dir:/srv/roots/web", system: "./result" });
 * const d = await deploy({ target: "ssh://root@web1", system: "./result", healthChecks: ["curl -fs localhost"] });
 * ```
 *
 * @packageDocumentation
 */
export { install, type InstallParameters, type InstallReport } from "./operations/install.js";
export { deploy, type DeployParameters, type DeployReport } from "./operations/deploy.js";
export { rollback, type RollbackParameters, type RollbackReport } from "./operations/rollback.js";
export { gc, type GcParameters, type GcReport } from "./operations/gc.js";
export { generations, type GenerationsParameters } from "./operations/generations.js";
export { enter, type EnterParameters } from "./operations/enter.js";
export { startContainer, type StartContainerParameters, type StartContainerReport } from "./operations/containers/startContainer.js";
export { stopContainer, type StopContainerParameters, type StopContainerReport } from "./operations/containers/stopContainer.js";
export { containerStatus, type ContainerStatusParameters } from "./operations/containers/containerStatus.js";
export { containerLogs, type ContainerLogsParameters } from "./operations/containers/containerLogs.js";
export type { ContainerTargetOptions } from "./operations/containers/withContainerHost.js";
export type { SystemTargetOptions } from "./operations/withSystemTarget.js";
export { previewDeploy, previewGc, previewInstall, previewRollback } from "./operations/previews.js";
export type { OperationOptions } from "./operations/common.js";
export type { OperationError } from "./errors/OperationError.js";
export type {
  ContainerError,
  ContainerErrorCode,
  DeployError,
  DeployErrorCode,
  EnterError,
  EnterErrorCode,
  FleetError,
  FleetErrorCode,
  GcError,
  GcErrorCode,
  GenerationsError,
  GenerationsErrorCode,
  InstallError,
  InstallErrorCode,
  PlanErrorCode,
  RollbackError,
  RollbackErrorCode,
  SwitchErrorCode,
  SystemErrorCode,
  TargetErrorCode,
} from "./errors/operationErrorCodes.js";
export { createTransportRegistry, defaultTransports, type RegisteredTarget, type TransportRegistry } from "./transports/createTransportRegistry.js";
export { resolveSystem, type SystemSource } from "./system/resolveSystem.js";
export { readLayout } from "./layout/readLayout.js";
export { parseDuration } from "./options/parseDuration.js";
export { parseSize } from "./options/parseSize.js";
export type { Duration, Size } from "./options/normalise.js";
export type {
  ClosureDiff,
  ConnectionOptions,
  ContainerState,
  ContainerStatus,
  ErrorCode,
  GenerationInfo,
  NixosViaError,
  PipelineEvent,
  RollbackCause,
  DeployPlan,
  Plan,
  RollbackPlan,
  Step,
  SwitchAction,
  SwitchOutcome,
  SwitchOutcomeError,
  Target,
  Transport,
} from "@nixos-via/core";
export { deployFleet, type FleetReport } from "./fleet/deployFleet.js";
export { planFleet, type FleetOptions, type FleetPreview } from "./fleet/planFleet.js";
export { setFleetArgs, type SetFleetArgsParameters } from "./fleet/setFleetArgs.js";
export { fleetInfo, type FleetInfo } from "./fleet/fleetInfo.js";
export { loadNetwork, type FleetHostInput, type FleetNetworkInput, type FleetNetworkSource, type LoadedNetwork } from "./fleet/loadNetwork.js";
export { fleetStatePath, type FleetState } from "./fleet/FleetState.js";
export type { FleetEvent } from "./fleet/FleetEvent.js";
export type { NetworkArgument } from "@nixos-via/transport-local";
export { formatFleetPlan, type FleetHost, type FleetPlan, type FleetSummary, type HostOutcome, type HostState, type PlannedHost, type Wave } from "@nixos-via/core";
