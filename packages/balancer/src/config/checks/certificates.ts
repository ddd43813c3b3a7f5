/**
 * `bind … crt FILE|DIR`: HAProxy loads every certificate while it reads the line (ssl_ckch.c,
 * ssl_sock_load_pem_into_ckch), so `-c` fails on a file it cannot use, not only on a missing one
 * (that one is the parser's). What HAProxy 2.6 says (test/check-cases/cert-*.cfg):
 * - no certificate in the file: "unable to load certificate from file 'F'.";
 * - a certificate without its key, in the file or in `F.key`: "No Private Key found in 'F.key'.";
 * - a key that is not the certificate's: "inconsistencies between private key and certificate loaded 'F'.";
 * - a directory loads each file in it but `*.key`, `*.ocsp`, `*.issuer`, `*.sctl`, `*.dh`.
 * Each is "'bind ADDR' in section 'KIND' : …" at the bind's line; the first failing file stops the line.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Diagnostic } from '@ha-lb/shared-config/haproxy';
import type { CheckContext } from './context.ts';

export const CERTIFICATE_CODE = 'CFG_ERR_FILE';

const SIDE_FILES = /\.(key|ocsp|issuer|sctl|dh)$/;

function pemBlocks(text: string, kind: RegExp): string[] {
  const out: string[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (kind.test(m[1])) out.push(m[0]);
  return out;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/** Why one PEM file cannot serve as a certificate (`shown` is the name as HAProxy prints it), or null. */
function pemProblem(path: string, shown: string): string | null {
  const text = readText(path) ?? '';
  const certs = pemBlocks(text, /^(TRUSTED )?CERTIFICATE$/);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certs[0] ?? '');
  } catch {
    return `unable to load certificate from file '${shown}'.`;
  }
  let keyPem = pemBlocks(text, /PRIVATE KEY$/)[0];
  if (keyPem === undefined) keyPem = pemBlocks(readText(`${path}.key`) ?? '', /PRIVATE KEY$/)[0];
  if (keyPem === undefined) return `No Private Key found in '${shown}.key'.`;
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem)))
      return `inconsistencies between private key and certificate loaded '${shown}'.`;
  } catch {
    return `No Private Key found in '${shown}.key'.`;
  }
  return null;
}

function crtProblem(path: string, shown: string): string | null {
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    return null; // missing: the parser said so
  }
  if (!dir) return pemProblem(path, shown);
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || SIDE_FILES.test(name)) continue;
    const full = join(path, name);
    try {
      if (!statSync(full).isFile()) continue;
    } catch {
      continue;
    }
    const p = pemProblem(full, join(shown, name));
    if (p !== null) return p;
  }
  return null;
}

export function certificateChecks(ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base = ctx.model.global.crtBase;
  const seen = new Set<string>();
  for (const px of ctx.model.proxies) {
    for (const b of px.binds) {
      const crt = b.options.crt;
      const at = `${b.file}:${b.line}`;
      if (typeof crt !== 'string' || seen.has(at)) continue;
      seen.add(at); // one line may hold several addresses: one message, as HAProxy
      const subject = ctx.uses.find(
        (u) => u.file === b.file && u.line === b.line && u.subject?.startsWith("'bind "),
      )?.subject;
      for (const file of crt.split(',')) {
        const path = ctx.resolve(isAbsolute(file) || base === null ? file : join(base, file), b.file);
        const p = crtProblem(path, file);
        if (p === null) continue;
        out.push({
          severity: 'alert',
          file: b.file,
          line: b.line,
          code: CERTIFICATE_CODE,
          message: `${subject ?? "'bind'"} in section '${px.kind}' : ${p}`,
        });
        break;
      }
    }
  }
  return out;
}
