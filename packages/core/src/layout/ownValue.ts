/**
 * `record[key]` when the key is the record's own: a layout's names (`constructor`,
 * `toString`…) must not find what every JavaScript object inherits.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
