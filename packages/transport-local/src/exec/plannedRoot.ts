/** Where a dry run says the mount folder would be: a real run creates it under /run. */
export const PLANNED_ROOT = "/run/nixos-via-MOUNT";
