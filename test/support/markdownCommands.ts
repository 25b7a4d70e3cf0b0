import { readFileSync } from "node:fs";

/** A `nixos-via …` command line found in a fenced block of a Markdown file. */
export interface DocCommand {
  /** `docs/cli.md:42`: where the command starts. */
  readonly where: string;
  /** The words after `nixos-via`, as a POSIX shell splits them (quotes removed). */
  readonly argv: readonly string[];
  /** A synopsis (`TARGET`, `[options]`, `(a | b)`, `…`) describes a command; it is not one to run. */
  readonly synopsis: boolean;
  /** What the block shows the command printing, for a `$ nixos-via …` line followed by output. */
  readonly output?: string | undefined;
}

/**
 * Every `nixos-via` command in the fenced code blocks of a Markdown file: lines joined at a
 * trailing `\`, split at `;`, `&&` and `|` (so `echo x | nixos-via …` counts), comments
 * dropped. A line starting `$ ` (in its first column) is a transcript: the lines after it up to the next `$ ` or
 * the end of the block are its output.
 */
export function readDocCommands(file: string, shownAs: string): DocCommand[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const commands: DocCommand[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) continue;
    let text = line;
    const start = i;
    while (text.endsWith("\\") && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
    const transcript = text.startsWith("$ ");
    const words = splitShell(text.replace(/^\$ /, ""));
    if (words === undefined) continue;
    let output: string | undefined;
    if (transcript) {
      const shown: string[] = [];
      while (i + 1 < lines.length && !/^\s*(`{3,}|~{3,})/.test(lines[i + 1]!) && !lines[i + 1]!.startsWith("$ ")) shown.push(lines[++i]!);
      output = shown.join("\n");
    }
    for (const argv of commandsIn(words)) {
      commands.push({ where: `${shownAs}:${start + 1}`, argv, synopsis: argv.some(isPlaceholder), output });
    }
  }
  return commands;
}

/** The argv after each `nixos-via` word that starts a simple command. */
function commandsIn(words: readonly Word[]): string[][] {
  const found: string[][] = [];
  let current: string[] | undefined;
  let atStart = true;
  for (const w of words) {
    if (w.operator) {
      if (current) found.push(current);
      current = undefined;
      atStart = true;
      continue;
    }
    if (current) current.push(w.text);
    else if (atStart && w.text === "nixos-via") current = [];
    atStart = false;
  }
  if (current) found.push(current);
  return found;
}

/** Words a synopsis uses for what the reader fills in. */
function isPlaceholder(word: string): boolean {
  return /[[\]()…|]/.test(word) || /^(?:[A-Z][A-Z_-]+|(?:dir|disk|image):[A-Z]+)(?:=[A-Z]+)?$/.test(word) || word === "options";
}

interface Word {
  readonly text: string;
  /** `;`, `&&`, `||` or `|`: the end of a simple command. */
  readonly operator: boolean;
}

/** Splits a line as a POSIX shell would (no expansions), stopping at a `#` comment; undefined if a quote is open. */
function splitShell(line: string): Word[] | undefined {
  const words: Word[] = [];
  let text = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      text += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) text += line[j] === "\\" && j + 1 < line.length ? line[++j] : line[j];
      if (j >= line.length) return undefined;
      inWord = true;
      i = j;
    } else if (c === "\\" && i + 1 < line.length) {
      text += line[++i];
      inWord = true;
    } else if (/\s/.test(c) || c === ";" || c === "|" || c === "&") {
      if (inWord) words.push({ text, operator: false });
      text = "";
      inWord = false;
      if (c !== " " && c !== "\t") {
        if ((c === "|" || c === "&") && line[i + 1] === c) i++;
        words.push({ text: c, operator: true });
      }
    } else if (c === "#" && !inWord) {
      break;
    } else {
      text += c;
      inWord = true;
    }
  }
  if (inWord) words.push({ text, operator: false });
  return words;
}
