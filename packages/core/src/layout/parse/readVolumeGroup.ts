import type { LogicalVolume, LvmVolumeGroup } from "../Layout.js";
import { checkKeys, HOOKS, readHooks, refuseRenaming } from "./checkKeys.js";
import { checkName } from "./checkName.js";
import { optEnum, optInt, optString } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";
import { readOptionalContent } from "./readContent.js";
import { readNamed } from "./readNamed.js";

const LV_SIZE = /^([0-9]+(\.[0-9]+)?[bBsSkKmMgGtTpPeE]?|[0-9]+%(FREE|VG|PVS|ORIGIN)?)$/;
const LVM_TYPES = ["mirror", "raid0", "raid1", "raid4", "raid5", "raid6", "thin-pool", "thinlv"] as const;

/** Reads an LVM volume group of `lvm_vg` and its logical volumes by name. */
export function readVolumeGroup(v: JsonObject, path: string, name: string, add: AddProblem): LvmVolumeGroup {
  checkKeys(v, path, add, ["type", "name", "lvs", ...HOOKS]);
  const hooks = readHooks(v, path, add);
  refuseRenaming(v, path, name, add);
  if (v.type !== "lvm_vg") add(`${path}.type`, `expected "lvm_vg", not ${describe(v.type)}`);
  return { type: "lvm_vg", lvs: readNamed(v.lvs ?? {}, `${path}.lvs`, "logical volumes", add, readLogicalVolume), ...hooks };
}

function readLogicalVolume(lv: JsonObject, p: string, _key: string, add: AddProblem): LogicalVolume {
  checkKeys(lv, p, add, ["name", "size", "lvm_type", "extraArgs", "content", "priority", "pool"]);
  const name = optString(lv, "name", p, add);
  checkName(name, `${p}.name`, add);
  const size = optString(lv, "size", p, add);
  if (size === undefined) add(`${p}.size`, "required: like 10G, 100%FREE or 50%VG");
  else if (!LV_SIZE.test(size)) add(`${p}.size`, `"${size}" is not a size (like 10G, 100%FREE or 50%VG)`);
  const lvmType = lv.lvm_type === null ? undefined : optEnum(lv, "lvm_type", p, add, LVM_TYPES);
  const priority = lv.priority === null ? undefined : optInt(lv, "priority", p, add);
  const pool = lv.pool === null ? undefined : optString(lv, "pool", p, add);
  if (lvmType === "thinlv" && pool === undefined) add(`${p}.pool`, "required for a thinlv: the thin-pool LV it lives in");
  if (lvmType !== "thinlv" && pool !== undefined) add(`${p}.pool`, `only a thinlv lives in a pool; set lvm_type = "thinlv" or leave pool out`);
  const content = readOptionalContent(lv, p, "lv", add);
  return {
    ...(name === undefined ? {} : { name }),
    ...(priority === undefined ? {} : { priority }),
    size: size ?? "",
    ...(lvmType === undefined ? {} : { lvm_type: lvmType }),
    ...(pool === undefined ? {} : { pool }),
    ...readArgs(lv, "extraArgs", p, add),
    ...(content === undefined ? {} : { content: content as LogicalVolume["content"] }),
  } as LogicalVolume;
}
