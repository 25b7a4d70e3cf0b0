/** Deterministic, poorly compressible bytes, so a 64 MiB stream is really 64 MiB on the wire. */
export async function* pseudoRandom(total: number): AsyncGenerator<Uint8Array> {
  let state = 0x9e3779b9;
  const chunk = 256 * 1024;
  for (let sent = 0; sent < total; sent += chunk) {
    const buf = new Uint8Array(Math.min(chunk, total - sent));
    for (let i = 0; i < buf.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      buf[i] = state & 0xff;
    }
    yield buf;
  }
}
