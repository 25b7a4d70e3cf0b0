export { CONTAINER_SCRIPT, containerArgv, type ContainerCommand } from "./containerScript.js";
export { parseContainerStatus, type ContainerState, type ContainerStatus } from "./ContainerStatus.js";
export { containerNetwork, type ContainerNetwork } from "./containerNetwork.js";
export { enterRunningContainer, nsenterArgv, type ContainerInit } from "./enterRunningContainer.js";
