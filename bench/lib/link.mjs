// A link emulator: a TCP proxy on loopback with a settable round-trip time and bandwidth
// (this kernel has no netem). Every benchmarked tool connects to it instead of to sshd.
//
// Model, per direction: a FIFO link. A chunk read at time t starts its serialization at
// max(t, when the previous chunk finished), takes bytes/bandwidth, and arrives RTT/2
// later. Bytes in flight (queued or propagating) are capped at 2 × bandwidth-delay
// product + 1 MiB, then the proxy stops reading from the sender, as a well-tuned TCP
// window would; the sender sees ordinary backpressure. Unshaped, it is a plain pipe that
// counts bytes.
import { createServer, connect } from "node:net";
import { performance } from "node:perf_hooks";

class Direction {
  constructor(link, from, to) {
    this.link = link; this.from = from; this.to = to;
    this.queue = []; this.head = 0; this.inFlight = 0; this.busyUntil = 0; this.timer = null; this.paused = false;
    from.on("data", (buf) => this.onData(buf));
    from.on("end", () => { this.ended = true; this.flush(); });
  }
  onData(buf) {
    const s = this.link.shape;
    this.link.bytes[this.name] += buf.length;
    if (!s) { if (!this.to.write(buf)) { this.from.pause(); this.to.once("drain", () => this.from.resume()); } return; }
    const now = performance.now();
    const start = Math.max(now, this.busyUntil);
    this.busyUntil = start + buf.length / s.bytesPerMs;
    this.queue.push({ buf, at: this.busyUntil + s.rttMs / 2 });
    this.inFlight += buf.length;
    if (this.inFlight > s.window && !this.paused) { this.paused = true; this.from.pause(); }
    this.arm();
  }
  arm() {
    if (this.timer || this.head >= this.queue.length) return;
    const wait = Math.max(0, this.queue[this.head].at - performance.now());
    this.timer = setTimeout(() => { this.timer = null; this.deliver(); }, wait);
  }
  deliver() {
    const now = performance.now() + 0.5;
    while (this.head < this.queue.length && this.queue[this.head].at <= now) {
      const { buf } = this.queue[this.head++];
      this.inFlight -= buf.length;
      this.to.write(buf);
    }
    if (this.head > 1024) { this.queue = this.queue.slice(this.head); this.head = 0; }
    if (this.paused && this.inFlight <= this.link.shape.window / 2) { this.paused = false; this.from.resume(); }
    this.flush();
    this.arm();
  }
  flush() {
    if (this.ended && this.head >= this.queue.length && !this.closed) { this.closed = true; this.to.end(); }
  }
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) towards `target`.
 * `set({ rttMs, mbit })` changes the shaping for new and running connections
 * (`mbit: 0` = unshaped); `bytes` counts up (client → server) and down.
 */
export async function startLink(target) {
  const link = {
    shape: null,
    bytes: { up: 0, down: 0 },
    connections: 0,
    set({ rttMs = 0, mbit = 0 } = {}) {
      if (!mbit && !rttMs) { this.shape = null; return; }
      const bytesPerMs = mbit ? (mbit * 1e6) / 8 / 1000 : Infinity;
      const bdp = mbit ? bytesPerMs * rttMs : 64 << 20;
      this.shape = { rttMs, mbit, bytesPerMs, window: 2 * bdp + (1 << 20) };
    },
    reset() { this.bytes = { up: 0, down: 0 }; this.connections = 0; },
  };
  const sockets = new Set();
  const server = createServer({ noDelay: true }, (client) => {
    link.connections++;
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    sockets.add(client); sockets.add(upstream);
    const close = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on("error", close); upstream.on("error", close);
    client.on("close", () => setTimeout(close, (link.shape?.rttMs ?? 0) + 50));
    upstream.on("close", () => setTimeout(close, (link.shape?.rttMs ?? 0) + 50));
    const up = new Direction(link, client, upstream); up.name = "up";
    const down = new Direction(link, upstream, client); down.name = "down";
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  link.port = server.address().port;
  link.close = () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); });
  return link;
}
