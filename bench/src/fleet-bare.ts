/**
 * The baseline of `bench:fleet`, run as a child process: `fleet-bare.ts URL N` opens N bare `ws`
 * client connections (subprotocol ocpp1.6, identities BARE-1 ... BARE-N, nothing sent) to the CSMS
 * at URL, and prints one JSON line: the heap and RSS per connection after a full GC (run node with
 * --expose-gc), and how long connecting took. Then closes them and exits. Bounded: gives up after
 * 120 s.
 */
import WebSocket from 'ws';

const [url, count] = process.argv.slice(2);
const n = Number(count);
if (url === undefined || !(n > 0)) {
  console.error('usage: fleet-bare.ts URL N');
  process.exit(2);
}
setTimeout(() => {
  console.error('fleet-bare: gave up after 120 s');
  process.exit(1);
}, 120_000).unref();

const gc = (globalThis as { gc?: () => void }).gc;
function memory(): { rssBytes: number; heapUsedBytes: number } {
  gc?.();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

const before = memory();
const started = Date.now();
const sockets: WebSocket[] = [];
let failed = 0;
await Promise.all(
  Array.from(
    { length: n },
    (_, i) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${url}/BARE-${i + 1}`, ['ocpp1.6'], { perMessageDeflate: false });
        ws.on('open', () => {
          sockets.push(ws);
          resolve();
        });
        ws.on('error', () => {
          failed++;
          resolve();
        });
      }),
  ),
);
const connectSeconds = (Date.now() - started) / 1000;
await new Promise((r) => setTimeout(r, 1000));
const after = memory();
const connected = sockets.length;
console.log(
  JSON.stringify({
    connected,
    failed,
    connectSeconds,
    perConnection: {
      rssBytes: Math.round((after.rssBytes - before.rssBytes) / Math.max(1, connected)),
      heapUsedBytes: Math.round(
        (after.heapUsedBytes - before.heapUsedBytes) / Math.max(1, connected),
      ),
    },
  }),
);
for (const ws of sockets) ws.terminate();
process.exit(failed > 0 ? 1 : 0);
