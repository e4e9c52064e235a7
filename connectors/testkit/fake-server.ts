// The base of every fake provider server: node:http on 127.0.0.1:0, every request recorded with its raw and parsed
// body, and a list of contract violations (requests that break the provider's published spec) for tests to assert on.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (UTF-8). */
  rawBody: string;
  /** JSON value for `application/json`, URLSearchParams for form bodies, undefined otherwise or when unparsable. */
  body: unknown;
  /** Why the body could not be parsed, when it could not. */
  bodyError?: string;
  /** Date.now() when the whole request had arrived (benchmarks measure send pacing with it). */
  receivedAt: number;
}

export interface Violation {
  method: string;
  path: string;
  message: string;
}

export interface FakeReply {
  status: number;
  /** Serialized as JSON unless it is a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (req: RecordedRequest, fake: FakeServer) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  violations: Violation[];
  /** Record that `req` breaks the contract. */
  violate(req: RecordedRequest, message: string): void;
  close(): Promise<void>;
}

/** A form body as a record; a repeated name becomes an array. */
export function formToRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Parse a body by its content type: JSON, urlencoded form, or nothing. */
export function parseBody(contentType: string | undefined, raw: string): { body: unknown; bodyError?: string } {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return { body: JSON.parse(raw) };
    } catch (e) {
      return { body: undefined, bodyError: `invalid JSON: ${(e as Error).message}` };
    }
  }
  if (type === 'application/x-www-form-urlencoded') return { body: new URLSearchParams(raw) };
  return raw === '' ? { body: undefined } : { body: undefined, bodyError: `unsupported content type "${type}"` };
}

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const fake: FakeServer = {
    url: '',
    requests,
    violations,
    violate: (req, message) => void violations.push({ method: req.method, path: req.path, message }),
    close: () =>
      new Promise<void>((res, rej) => {
        server.close((e) => (e ? rej(e) : res()));
        server.closeAllConnections(); // fetch keeps sockets alive; they would hold close() open
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const r: RecordedRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        rawBody,
        receivedAt: Date.now(),
        ...parseBody(req.headers['content-type'], rawBody),
      };
      requests.push(r);
      void Promise.resolve()
        .then(() => handler(r, fake))
        .catch((e: unknown): FakeReply => ({ status: 500, body: { error: String(e) } }))
        .then((out) => {
          const text = typeof out.body === 'string' ? out.body : out.body === undefined ? '' : JSON.stringify(out.body);
          res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
          res.end(text);
        });
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** POST a body to a URL (inbound webhooks from a fake to the code under test). */
export async function postTo(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: await res.text() };
}
