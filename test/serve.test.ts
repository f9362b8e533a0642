import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { runCli } from "./helpers.ts";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path exactly as typed: fetch and URL would normalise `..` away first. */
function raw(url: string, path: string, method = "GET", headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECRET = "not for the browser";

describe("policypack serve", () => {
  let base: string;
  let root: string;
  let server: RunningServer;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "policypack-serve-"));
    root = join(base, "output");
    const files: Record<string, string> = {
      "index.html": "<!doctype html><title>Overview</title>",
      "afon/index.html": "<!doctype html><title>Afon</title>",
      "afon/DCW13.pdf": "%PDF-1.7 pretend",
      "afon/DCW13.docx": "PK pretend docx",
      "afon/afon-policy-pack.zip": "PK pretend zip",
      "afon/data.json": "{}",
      "afon/style.css": "body{}",
      "afon/logo.svg": "<svg/>",
      "afon/logo.png": "\x89PNG pretend",
      "afon/notes": "no extension",
      "empty/.keep": "",
      "output-secret.txt": "inside, fine",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), text);
    }
    // Outside the served root: a sibling folder whose name starts like the root's.
    await mkdir(join(base, "output-private"));
    await writeFile(join(base, "output-private", "secret.txt"), SECRET);
    await writeFile(join(base, "secret.txt"), SECRET);
    await symlink(join(base, "secret.txt"), join(root, "leak.txt"));
    await symlink(join(base, "output-private"), join(root, "leakdir"));
    await mkdir(join(root, "trap"));
    await symlink(join(base, "secret.txt"), join(root, "trap", "index.html"));
    server = await startServer({ root, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("listens on 127.0.0.1 only", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("serves each kind of file with its content type, length and nosniff", async () => {
    const types: Record<string, string> = {
      "/afon/index.html": "text/html; charset=utf-8",
      "/afon/DCW13.pdf": "application/pdf",
      "/afon/DCW13.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "/afon/afon-policy-pack.zip": "application/zip",
      "/afon/data.json": "application/json; charset=utf-8",
      "/afon/style.css": "text/css; charset=utf-8",
      "/afon/logo.svg": "image/svg+xml",
      "/afon/logo.png": "image/png",
      "/afon/notes": "application/octet-stream",
    };
    for (const [path, type] of Object.entries(types)) {
      const response = await fetch(new URL(path, server.url));
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toBe(type);
      expect(response.headers.get("content-length"), path).toBe(String(body.length));
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      const csp = response.headers.get("content-security-policy");
      if (type.startsWith("text/html")) {
        expect(csp).toContain("default-src 'none'");
        // Scripts: the pack page's filter by its hash, and nothing inline or evaluated.
        const scriptSrc = csp?.split(";").find((part) => part.trim().startsWith("script-src"));
        expect(scriptSrc?.trim()).toMatch(/^script-src 'sha256-[A-Za-z0-9+/]+=*'$/);
      } else if (type === "image/svg+xml") {
        // A logo opened on its own runs no script: sandboxed, nothing loaded.
        expect(csp, path).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
      } else expect(csp, path).toBeNull();
    }
  });

  it("serves a folder's index.html, redirecting to the slash form first", async () => {
    expect((await raw(server.url, "/")).body).toContain("<title>Overview</title>");
    expect((await raw(server.url, "/afon/")).body).toContain("<title>Afon</title>");
    expect((await raw(server.url, "/afon/?q=DCW13")).body).toContain("<title>Afon</title>");
    const redirect = await raw(server.url, "/afon");
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe("/afon/");
    expect((await raw(server.url, "//afon")).headers.location).toBe("/afon/"); // never "//host/"
    expect((await raw(server.url, "/empty/")).status).toBe(404);
    expect((await raw(server.url, "/missing.pdf")).status).toBe(404);
    expect((await raw(server.url, "/afon%20x/")).status).toBe(404);
  });

  it("answers HEAD with the headers and no body, and other methods with 405", async () => {
    const head = await raw(server.url, "/afon/DCW13.pdf", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("application/pdf");
    expect(head.headers["content-length"]).toBe(String("%PDF-1.7 pretend".length));
    expect(head.body).toBe("");
    for (const method of ["POST", "PUT", "DELETE"]) {
      const response = await raw(server.url, "/afon/DCW13.pdf", method);
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe("GET, HEAD");
    }
  });

  it("reaches nothing outside the root: traversal, encodings, NUL, backslashes, symlinks", async () => {
    const attempts = [
      "/../secret.txt",
      "/afon/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/afon/..%2f..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "/afon\\..\\..\\secret.txt",
      "/index.html%00.pdf",
      "/%00",
      "/%E0%A4%A", // malformed percent-encoding
      "/leak.txt",
      "/leakdir/secret.txt",
      "/leakdir/",
      "/trap/",
      "/../output-private/secret.txt",
      "/%2e%2e/output-private/secret.txt",
    ];
    for (const path of attempts) {
      const response = await raw(server.url, path);
      expect([403, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain(SECRET);
    }
    // A file inside whose name merely starts like a sibling outside is fine.
    expect((await raw(server.url, "/output-secret.txt")).body).toBe("inside, fine");
  });

  it("refuses requests addressed to another host name (DNS rebinding)", async () => {
    const response = await raw(server.url, "/afon/", "GET", { Host: "attacker.example" });
    expect(response.status).toBe(403);
    const { port } = new URL(server.url);
    expect((await raw(server.url, "/afon/", "GET", { Host: `localhost:${port}` })).status).toBe(200);
  });
});

describe("policypack serve on the command line", () => {
  it("exits 2 with a clear message when the folder does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-serve-"));
    const run = await runCli(["serve", "--port", "0"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("there is no folder output/ to serve");
  });

  it("exits 2 with a clear message when the port is taken", async () => {
    const dir = await mkdtemp(join(tmpdir(), "policypack-serve-"));
    await mkdir(join(dir, "output"));
    const busy = await startServer({ root: join(dir, "output"), port: 0 });
    try {
      const { port } = new URL(busy.url);
      const run = await runCli(["serve", "--port", port], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`port ${port} is already in use`);
    } finally {
      await busy.close();
    }
  });

  it("rejects a port that is not a number", async () => {
    const run = await runCli(["serve", "--port", "http"], tmpdir());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port takes a number");
  });
});
