// The bot's one HTTP server on PORT: GET /healthz, and the routes channels add (the Telegram webhook,
// WeCom's callback URL, the e-mail acknowledgement page). Started only when some route needs it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface HttpServer {
  /** handler for a method and an exact path, or a path prefix ending in '/' */
  route(method: 'GET' | 'POST', path: string, handler: RouteHandler): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  address(): { port: number } | null;
}

/** Reads a request body up to limit bytes; null when it is larger (the rest is not read). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function createHttpServer(options: { port: number; log: Logger }): HttpServer {
  const log = options.log.child({ component: 'http' });
  const routes: { method: string; path: string; handler: RouteHandler }[] = [];
  let server: Server | null = null;
  let starting: Promise<void> | null = null;

  function find(method: string, pathname: string) {
    return routes.find((r) => r.method === method && (r.path === pathname || (r.path.endsWith('/') && pathname.startsWith(r.path))));
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const route = find(req.method ?? '', url.pathname);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve()
      .then(() => route.handler(req, res, url))
      .catch((error: unknown) => {
        log.error({ err: error, path: url.pathname }, 'http request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  }

  return {
    route(method, path, handler) {
      routes.push({ method, path, handler });
    },
    start() {
      starting ??= new Promise<void>((resolve, reject) => {
        const created = createServer(onRequest);
        created.once('error', reject);
        created.listen(options.port, () => {
          server = created;
          log.info({ port: (created.address() as { port: number }).port, routes: routes.map((r) => `${r.method} ${r.path}`) }, 'http server listening');
          resolve();
        });
      });
      return starting;
    },
    async stop() {
      const closing = server;
      server = null;
      starting = null;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    address() {
      const address = server?.address();
      return address && typeof address === 'object' ? { port: address.port } : null;
    },
  };
}
