import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on loopback that cuts the open connections once `cutAfterBytes` bytes went
 * from client to server in total (or when `cutNow()` is called, or `cutAfter(n)` more
 * bytes went): a network failure in the middle of a copy or a switch. Connections made
 * afterwards pass. `forwarded()` counts the bytes that went, so a test can measure a
 * whole run first and cut the next one at a known point of its stream.
 */
export async function startCutProxy(
  targetPort: number,
  cutAfterBytes: number,
): Promise<{ port: number; cut: () => boolean; cutNow: () => void; cutAfter: (bytes: number) => void; forwarded: () => number; stop: () => Promise<void> }> {
  let forwarded = 0;
  let didCut = false;
  const sockets = new Set<Socket>();
  // Cuts the connections open now; later ones pass, as after a network blip.
  const cutAll = () => {
    didCut = true;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      forwarded += chunk.length;
      if (forwarded > cutAfterBytes) {
        cutAfterBytes = Infinity;
        return cutAll();
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on("error", () => {});
      s.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    cut: () => didCut,
    cutNow: cutAll,
    cutAfter: (bytes) => {
      cutAfterBytes = forwarded + bytes;
    },
    forwarded: () => forwarded,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
