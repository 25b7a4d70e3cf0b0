import type { Disk } from "@nixos-via/core";

/** What a partition table costs besides its partitions: the first MiB (alignment, GPT) and GPT's backup at the end. */
const TABLE_BYTES = 2 * 2 ** 20;

/**
 * The bytes a disk of a layout takes for sure: its partitions with a fixed size (a GPT
 * partition's `size`, the furthest absolute `end` of an MBR table), plus the table itself.
 * Sizes relative to the disk (`100%`, `-1G`) add nothing: they take what is left.
 *
 * @example
 * ```ts
 * fixedDiskBytes({ type: "disk", content: { type: "gpt", partitions: { ESP: { size: "512M" }, root: { size: "100%" } } } })
 * // 538968064 (512 MiB + 2 MiB)
 * ```
 */
export function fixedDiskBytes(disk: Disk): number {
  const content = disk.content;
  if (content?.type === "gpt") {
    return TABLE_BYTES + Object.values(content.partitions).reduce((n, p) => n + (p.size === undefined ? 0 : (gptSizeBytes(p.size) ?? 0)), 0);
  }
  if (content?.type === "table") {
    return TABLE_BYTES + Math.max(0, ...content.partitions.map((p) => (p.end === undefined ? 0 : (partedBytes(p.end) ?? 0))));
  }
  return 0;
}

/** disko's GPT size: `[0-9]+[KMGTP]?`, binary units; a bare number counts 512-byte sectors. */
function gptSizeBytes(size: string): number | undefined {
  const m = /^(\d+)([KMGTP]?)$/.exec(size.trim());
  if (m === null) return undefined;
  return m[2] === "" ? Number(m[1]) * 512 : Number(m[1]) * 1024 ** (" KMGTP".indexOf(m[2]!));
}

/** A parted position in an absolute unit (`513MiB`, `1G`, `2048s`); parted's `M`, `G` are decimal. */
function partedBytes(position: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|B|kB|KiB|MB|MiB|GB|GiB|TB|TiB|K|M|G|T)?$/.exec(position.trim());
  if (m === null) return undefined;
  const unit: Record<string, number> = { s: 512, B: 1, kB: 1e3, K: 1e3, KiB: 2 ** 10, MB: 1e6, M: 1e6, MiB: 2 ** 20, GB: 1e9, G: 1e9, GiB: 2 ** 30, TB: 1e12, T: 1e12, TiB: 2 ** 40 };
  return Math.ceil(Number(m[1]) * unit[m[2] ?? "MB"]!);
}
