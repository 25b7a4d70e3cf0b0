import { formatBytes, type FleetSummary, type HostOutcome, type NixosViaError } from "@nixos-via/core";
import type { FleetEvent } from "nixos-via";
import type { Io } from "../Io.js";
import { formatError } from "./renderPlain.js";

/** How a fleet command shows a rollout: NDJSON, a live per-host table, or plain lines. */
export interface FleetRenderer {
  event(event: FleetEvent): void;
  error(error: NixosViaError): void;
  /** The final summary: a table on stdout, or the `result` event. */
  summary(summary: FleetSummary, durationMs: number): void;
  /** Stops redrawing (before anything else is written). */
  close(): void;
}

/** `--json`: every event on its own line, as it comes, each with `host`. */
function renderFleetJson(io: Io): FleetRenderer {
  const write = (value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    event: (e) =>
      // A diff's path lists can be thousands of lines: its counts are the event, as for deploy.
      write(e.type === "diff" ? { ...e, diff: { ...e.diff, added: e.diff.added.length, removed: e.diff.removed.length } } : e),
    error: (error) => {
      write({ type: "error", host: null, error });
      io.stderr.write(formatError(error));
    },
    summary: (summary, durationMs) => write({ type: "result", host: null, ok: summary.ok, durationMs, counts: summary.counts, hosts: summary.hosts.map((h) => ({ host: h.name, state: h.state, outcome: h.outcome })), left: summary.left }),
    close: () => {},
  };
}

/** One host's row of the live table. */
interface Row {
  state: string;
  step: string;
  bytes: number;
  started: number;
  /** When it ended: the rate stops there. */
  ended?: number;
  outcome: string;
}

/**
 * On a terminal: one row per host (what it is doing, bytes sent, rate, outcome), redrawn
 * in place at most five times a second. Written by hand: the table is a few lines of ANSI
 * and needs no layout engine.
 */
function renderFleetTable(io: Io): FleetRenderer {
  const out = io.stderr;
  const rows = new Map<string, Row>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let header = "";
  const draw = () => {
    const width = (out as { columns?: number }).columns ?? 120;
    const nameWidth = Math.max(4, ...[...rows.keys()].map((n) => n.length));
    const lines = [header, ...[...rows].map(([name, r]) => {
      const seconds = ((r.ended ?? Date.now()) - r.started) / 1000;
      const rate = r.bytes > 0 && seconds > 0 ? `${formatBytes(r.bytes / seconds)}/s` : "";
      const line = `${name.padEnd(nameWidth)}  ${r.state.padEnd(9)} ${(r.outcome || r.step).padEnd(40).slice(0, 40)} ${r.bytes > 0 ? formatBytes(r.bytes) : ""} ${rate}`;
      return line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
    })];
    out.write(`${drawn > 0 ? `\x1b[${drawn}F` : ""}${lines.map((l) => `\x1b[2K${l}\n`).join("")}`);
    drawn = lines.length;
  };
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      draw();
    }, 200);
  };
  return {
    event(e) {
      if (e.type === "fleet-plan") {
        for (const h of e.plan.hosts) rows.set(h.name, { state: h.state, step: h.problem ?? (h.state === "unchanged" ? "runs its system" : "waiting"), bytes: 0, started: Date.now(), outcome: "" });
      } else if (e.type === "wave-start") {
        header = `wave ${e.wave.index + 1} (${e.wave.kind}): ${e.wave.hosts.join(", ")}`;
      } else if (e.type === "halt") {
        header = `halted: ${e.reason}`;
      } else if (e.host !== null) {
        const row = rows.get(e.host);
        if (row === undefined) return;
        if (e.type === "host-start") Object.assign(row, { step: `${e.action}ing…`, started: Date.now() });
        else if (e.type === "step-start") row.step = `[${e.index + 1}/${e.total}] ${e.description}`;
        else if (e.type === "progress") row.bytes = e.bytesDone;
        else if (e.type === "host-end") Object.assign(row, { outcome: describeOutcome(e.outcome), ended: Date.now() });
      }
      soon();
    },
    error: (error) => {
      if (timer) clearTimeout(timer);
      out.write(formatError(error));
    },
    summary: (summary, durationMs) => {
      if (timer) clearTimeout(timer);
      if (rows.size > 0) draw();
      io.stdout.write(formatSummary(summary, durationMs));
    },
    close: () => {
      if (timer) clearTimeout(timer);
    },
  };
}

/** Without a terminal: a line per host start and end, per wave and halt. */
function renderFleetPlain(io: Io): FleetRenderer {
  const line = (s: string) => io.stderr.write(`${s}\n`);
  return {
    event(e) {
      if (e.type === "build") line(`building ${e.derivations} ${e.derivations === 1 ? "system" : "systems"}`);
      else if (e.type === "wave-start") line(`wave ${e.wave.index + 1} (${e.wave.kind}): ${e.wave.hosts.join(", ")}`);
      else if (e.type === "host-start") line(`${e.host}: ${e.action}`);
      else if (e.type === "step-start") line(`${e.host}: [${e.index + 1}/${e.total}] ${e.phase}: ${e.description}`);
      else if (e.type === "host-end") line(`${e.host}: ${describeOutcome(e.outcome)}`);
      else if (e.type === "halt") line(`halted: ${e.reason}`);
    },
    error: (error) => io.stderr.write(formatError(error)),
    summary: (summary, durationMs) => io.stdout.write(formatSummary(summary, durationMs)),
    close: () => {},
  };
}

/**
 * NDJSON with `--json`, the live table when stderr is a terminal, plain lines otherwise.
 *
 * @example
 * ```ts
 * const renderer = createFleetRenderer(io, { json: false });
 * ```
 */
export function createFleetRenderer(io: Io, options: { readonly json: boolean }): FleetRenderer {
  return options.json ? renderFleetJson(io) : io.stderr.isTTY ? renderFleetTable(io) : renderFleetPlain(io);
}

function describeOutcome(o: HostOutcome): string {
  switch (o.kind) {
    case "confirmed":
      return `${o.action === "install" ? "installed" : "deployed"}, generation ${o.generation}`;
    case "unchanged":
      return "unchanged";
    case "failed":
      return `failed (${o.code}${o.rolledBack ? ", rolled back" : ""}): ${o.message}`;
    case "aborted":
      return `stopped while running${o.action === "install" ? "" : o.rolledBack ? ", on its previous generation" : ", NOT on its previous generation: look at it"}: ${o.message}`;
    case "not-started":
      return `not started: ${o.reason}`;
  }
}

/** The summary on stdout: a line per host, what left, and the counts. */
export function formatSummary(summary: FleetSummary, durationMs: number): string {
  const width = Math.max(4, ...summary.hosts.map((h) => h.name.length));
  const lines = summary.hosts.map((h) => `${h.name.padEnd(width)}  ${h.outcome.kind.padEnd(11)} ${describeOutcome(h.outcome)}`);
  for (const name of summary.left) lines.push(`${name.padEnd(width)}  ${"left".padEnd(11)} not in the network any more: not touched`);
  const counts = Object.entries(summary.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ");
  const end = summary.aborted ? "stopped" : summary.halted !== undefined ? `halted: ${summary.halted}` : summary.ok ? "every host confirmed" : "not every host confirmed";
  lines.push(`fleet: ${counts} in ${(durationMs / 1000).toFixed(1)}s; ${end}`);
  return `${lines.join("\n")}\n`;
}
