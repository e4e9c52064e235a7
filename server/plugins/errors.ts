// Turns every failure into the API's error body. Registered on the root instance, so every route inherits it.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Prisma } from '../../prisma/client.js';
import { isTemporalUnavailable } from '../../worker/temporal-deadline.js';
import { errorBody, HttpError, httpErrors, schemaIssues, type Issue } from '../errors.js';

/** Fastify's own client errors, by code. Anything with a 4xx status not listed keeps its status as `bad_request`. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length'],
};

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query' };

/** ajv errors (allErrors: true, so all of them) as issues with a pointer rooted at the request part. */
function validationIssues(err: FastifyError): Issue[] {
  const context = CONTEXT_NAMES[err.validationContext ?? ''] ?? err.validationContext ?? 'body';
  return schemaIssues(`/${context}`, err.validation ?? []);
}

export function registerErrorHandling(app: FastifyInstance): void {
  const send = (reply: FastifyReply, err: HttpError) => {
    if (err.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
    for (const [name, value] of Object.entries(err.headers ?? {})) void reply.header(name, value);
    return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.issues));
  };
  app.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof HttpError) return send(reply, err);
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.code(400).send(errorBody('validation_failed', 'the request is not valid', validationIssues(fe)));
    }
    const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (known) return reply.code(known[0]).send(errorBody(known[1], fe.message));
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(errorBody('bad_request', fe.message));
    }
    // A row that vanished between the route's lookup and its write (a concurrent delete).
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') {
      return reply.code(404).send(errorBody('not_found', 'not found'));
    }
    // Temporal down or past the deadline (TemporalUnavailableError, or a bare gRPC UNAVAILABLE / DEADLINE_EXCEEDED
    // from a call made without one): callers should retry, so 503 rather than 500.
    if (isTemporalUnavailable(err)) {
      request.log.warn({ err: (err as Error).message }, 'temporal unavailable');
      return send(reply, httpErrors.temporalUnavailable());
    }
    // Unexpected: logged with its stack, answered without it.
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal', 'internal error'));
  });
}

/**
 * Errors Fastify's router meets before any route or hook runs (a `%` that is no percent-encoding, a path parameter
 * over `maxParamLength`): answered with the one error body too. Passed to Fastify as `frameworkErrors`.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'uri_too_long', 'a path segment is too long']
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, 'bad_url', 'the URL is not validly percent-encoded']
        : [400, 'bad_request', err.message];
  void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(errorBody(code, message));
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers over the size limit, a header timeout, a
 * malformed request line): written to the socket as the one error body, then the connection is closed. Passed to
 * Fastify as `clientErrorHandler`.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'the request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request took too long to arrive']
        : err.code === 'HPE_URI_TOO_LONG'
          ? [414, 'uri_too_long', 'the URL is too long']
          : [400, 'bad_request', 'the request could not be parsed'];
  if (!socket.writable) return void socket.destroy(err);
  const body = JSON.stringify(errorBody(code, message));
  socket.write(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}

/** 404 for unknown routes; with the editor served, page navigations fall back to its index.html (client routing). */
export function registerNotFound(app: FastifyInstance, opts: { spaFallback: boolean }): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isPage =
      request.method === 'GET' &&
      !/^\/(api|hooks|docs|webchat)(\/|$)/.test(path) &&
      (request.headers.accept ?? '').includes('text/html');
    if (opts.spaFallback && isPage) return reply.sendFile('index.html');
    return reply.code(404).send(errorBody('not_found', `no route ${request.method} ${path}`));
  });
}
