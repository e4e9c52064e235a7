// A local HTTP endpoint for tests: records every request and answers from per-path scripts (default 200 `{ ok }`).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
export interface SinkResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer this much later (to have calls in flight). */
  delayMs?: number;
}
/** Answers the n-th (1-based) request to a path. */
export type SinkScript = (req: SinkRequest, n: number) => SinkResponse;

export interface Sink {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order. */
  requests: SinkRequest[];
  /** Requests received on one path. */
  on(path: string): SinkRequest[];
  script(path: string, script: SinkScript): void;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const requests: SinkRequest[] = [];
  const scripts = new Map<string, SinkScript>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://sink').pathname;
      const r: SinkRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      const n = requests.filter((x) => x.path === path).length;
      const out = scripts.get(path)?.(r, n) ?? { status: 200, body: JSON.stringify({ ok: true }) };
      setTimeout(() => {
        res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
        res.end(out.body ?? '');
      }, out.delayMs ?? 0);
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path) => requests.filter((r) => r.path === path),
    script: (path, script) => void scripts.set(path, script),
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}
