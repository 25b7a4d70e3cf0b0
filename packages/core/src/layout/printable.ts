/** C0 and C1 control characters: printed raw they would drive the terminal. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether text holds characters that must not reach a terminal raw. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** The text with each control character shown as an escape (`\u001b`). */
export function printable(text: string): string {
  return text.replace(new RegExp(CONTROL.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
