/** What Pulumi passes for a value not known yet during a preview (a server's address before it exists). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value is given and fully known: nothing in it is still {@link UNKNOWN_VALUE}. */
export function isKnown(value: unknown): boolean {
  return value !== undefined && !JSON.stringify(value).includes(UNKNOWN_VALUE);
}
