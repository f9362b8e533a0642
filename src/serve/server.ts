import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, sep } from "node:path";
import { FILTER_SCRIPT_HASH } from "../render/html/pack-page.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".pdf": "application/pdf",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".zip": "application/zip",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".woff2": "font/woff2",
  ".ics": "text/calendar; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Pack pages: inline styles, the pack's own images (the logo) and data: images, its own font files, and one script, the pack
 * page's filter, allowed by its hash (each page's own CSP meta narrows this further).
 */
export const HTML_CSP = `default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'self'; script-src ${FILTER_SCRIPT_HASH}; base-uri 'none'; form-action 'none'`;

/** An SVG opened as a page (an <img> of one never runs script): its own styles, nothing else. */
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export interface ServeOptions {
  /** The folder to serve; it must exist. */
  root: string;
  /** 0 picks any free port. */
  port: number;
  /** serve --watch: rebuilt files, reloading pages (src/serve/watch.ts). */
  live?: LiveHooks;
}

/** What serve --watch adds to the server. */
export interface LiveHooks {
  /** The URL path of the Server-Sent Events stream that tells pages about builds. */
  eventsPath: string;
  events(response: ServerResponse): void;
  /** Brings a file up to date before it is served (a PDF is built when asked for); `path` is below the root. */
  prepare(path: string): Promise<void>;
  /** A page as served: its HTML with the reload script added. The file itself is never changed. */
  page(file: string): Promise<string>;
  /** The Content-Security-Policy header for pages, allowing that script and its event stream. */
  pageCsp: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` read-only on 127.0.0.1. Rejects if the folder is missing or the port is taken. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = await realpath(options.root);
  if (!(await stat(root)).isDirectory())
    throw Object.assign(new Error(`${options.root} is not a folder`), { code: "ENOTDIR" });
  // Only requests addressed to this server by name: a web page whose host name is re-pointed
  // at 127.0.0.1 (DNS rebinding) would otherwise be able to read the packs.
  const hosts = new Set<string>();
  const server = createServer((request, response) => {
    if (!hosts.has(request.headers.host ?? "")) return send(response, 403, "Forbidden: unexpected Host header");
    handle(root, request, response, options.live).catch(() => {
      if (!response.headersSent) send(response, 500, "Internal error");
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  for (const name of ["127.0.0.1", "localhost"]) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name); // browsers leave out the default port
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive connections would hold close() open
      }),
  };
}

function send(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  response.end(response.req.method === "HEAD" ? undefined : text);
}

/**
 * The URL path as a path below the root, or undefined when it could step outside: `..` segments
 * (plain or percent-encoded), NUL bytes, backslashes (a separator on Windows) and bad encodings.
 */
export function safeRelativePath(url: string): string | undefined {
  const rawPath = url.split(/[?#]/, 1)[0];
  if (!rawPath.startsWith("/") || rawPath.includes("\\")) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.includes("\0") || path.includes("\\")) return undefined;
  if (path.split("/").includes("..")) return undefined;
  return path;
}

/** The real path of `path` if it exists and stays inside `root` (itself a real path) after following symlinks. */
async function inside(root: string, path: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  return real === root || real.startsWith(root + sep) ? real : undefined;
}

async function handle(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
  live: LiveHooks | undefined,
): Promise<void> {
  const method = request.method ?? "";
  if (method !== "GET" && method !== "HEAD") return send(response, 405, "Method not allowed", { Allow: "GET, HEAD" });
  const relative = safeRelativePath(request.url ?? "");
  if (relative === undefined) return send(response, 403, "Forbidden");
  if (live && relative === live.eventsPath && method === "GET") return live.events(response);
  await live?.prepare(relative);

  let file = await inside(root, join(root, relative));
  if (file === undefined) return send(response, 404, "Not found");
  let info = await stat(file);
  if (info.isDirectory()) {
    // Relative links in index.html resolve against the URL, so it must end in a slash.
    const path = (request.url ?? "/").split(/[?#]/, 1)[0];
    // One leading slash only: "//host" in Location would send the browser to another site.
    if (!path.endsWith("/")) return send(response, 301, "Moved", { Location: `${path.replace(/^\/+/, "/")}/` });
    // index.html itself could be a symlink out of the root: check it too.
    file = await inside(root, join(file, "index.html"));
    if (file === undefined) return send(response, 404, "Not found");
    info = await stat(file);
  }
  if (!info.isFile()) return send(response, 404, "Not found");

  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  if (live && type.startsWith("text/html")) {
    const page = Buffer.from(await live.page(file));
    response.writeHead(200, {
      "Content-Type": type,
      "Content-Length": String(page.length),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      "Content-Security-Policy": live.pageCsp,
    });
    response.end(method === "HEAD" ? undefined : page);
    return;
  }
  response.writeHead(200, {
    "Content-Type": type,
    "Content-Length": String(info.size),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store", // a preview: show the latest build after every rebuild
    ...(type.startsWith("text/html") && { "Content-Security-Policy": HTML_CSP }),
    // A logo opened on its own is a document: an SVG's script must not run with the server's origin.
    ...(type === "image/svg+xml" && { "Content-Security-Policy": SVG_CSP }),
  });
  if (method === "HEAD") {
    response.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", () => response.destroy());
  stream.pipe(response);
}
