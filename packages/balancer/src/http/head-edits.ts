/**
 * The edits made to one parsed head before it is forwarded: headers dropped (hop-by-hop ones are
 * already marked by the parser), headers appended, and the start line changed (method, path, query,
 * or a version spoken as 1.1). Nothing is re-encoded: the forwarded head is the start line, the kept
 * header lines copied as slices of the received bytes, the appended lines, the empty line and the body
 * bytes that arrived with the head — one buffer, one write. This is what header rewriting rules
 * (`http-request set-header`, `del-header`, `set-path`, …) and the engine's own additions
 * (forwardfor, Connection) go through.
 *
 * One instance per direction per session, reset for each message: no allocation per request beyond
 * the output buffer and the appended text.
 */
import type { BodyFraming } from './body-framing.ts';
import { eqLower, type HttpHead } from './head-parser.ts';

/** Lower-case header names for drop()/keep()/set(). */
export const UPGRADE_NAME: Uint8Array = Buffer.from('upgrade');

/** below this many characters a JS loop beats Buffer.write's native call (and the flattening of a built string) */
const SHORT_TEXT = 256;

/** Writes `s` as latin1 (each code unit's low byte, as Buffer.write does) at `at`; returns its length. */
function putLatin1(out: Buffer, s: string, at: number): number {
  const n = s.length;
  if (n > SHORT_TEXT) return out.write(s, at, 'latin1');
  for (let k = 0; k < n; k++) out[at + k] = s.charCodeAt(k);
  return n;
}

export class HeadEdits {
  private head: HttpHead | null = null;
  private buf: Buffer | null = null;
  /**
   * the appended text as pieces (`name`, `: `, `value`, CRLF…), the first `nParts` entries of a reused
   * array, written one by one into the output: no string is built to hold them
   */
  private readonly parts: string[] = [];
  private nParts = 0;
  private partsLen = 0;
  private method: string | null = null;
  private path: string | null = null;
  private query: string | null = null;
  private startLine: string | null = null;
  /** header index → its new value (a header edited in place, e.g. a Cookie line); null when none */
  private values: Map<number, string> | null = null;

  /** Starts editing `h`, parsed from `buf`. */
  reset(h: HttpHead, buf: Buffer): this {
    this.head = h;
    this.buf = buf;
    this.nParts = 0;
    this.partsLen = 0;
    this.method = null;
    this.path = null;
    this.query = null;
    this.startLine = null;
    this.values = null;
    return this;
  }

  /** Drops every header named `lowerName` (lower-case bytes). Returns how many were dropped. */
  drop(lowerName: Uint8Array): number {
    const h = this.head!;
    let n = 0;
    for (let i = 0; i < h.nHeaders; i++) {
      if (h.drop[i] === 0 && this.nameIs(i, lowerName)) {
        h.drop[i] = 1;
        h.dropCount++;
        n++;
      }
    }
    return n;
  }

  /** Drops header `i` (an index of the parsed head). */
  dropAt(i: number): void {
    const h = this.head!;
    if (h.drop[i] !== 0) return;
    h.drop[i] = 1;
    h.dropCount++;
  }

  /**
   * Replaces the value of header `i` in place: the line keeps its position and its name as written,
   * and becomes `name: value`.
   */
  replaceValue(i: number, value: string): void {
    if (this.values === null) this.values = new Map();
    this.values.set(i, value);
  }

  /** The new value of header `i` when an edit replaced it, else undefined (the rule engine reads through edits). */
  valueOf(i: number): string | undefined {
    return this.values?.get(i);
  }

  /** True when the start line's method, path or query was changed. */
  targetEdited(): boolean {
    return this.path !== null || this.query !== null;
  }

  /** Keeps headers named `lowerName` that the parser marked as hop-by-hop (an Upgrade that goes through). */
  keep(lowerName: Uint8Array): void {
    const h = this.head!;
    if (h.dropCount === 0) return;
    for (let i = 0; i < h.nHeaders; i++) {
      if (h.drop[i] === 1 && this.nameIs(i, lowerName)) {
        h.drop[i] = 0;
        h.dropCount--;
      }
    }
  }

  /**
   * Keeps the fields the Connection header named (dropped for an HTTP/1.1 hop, RFC 9110 §7.6.1):
   * HAProxy 2.6 passes them to an HTTP/2 server (recorded in test/h2-server-expected.json).
   */
  keepConnectionNamed(): void {
    const h = this.head!;
    if (h.dropCount === 0) return;
    for (let i = 0; i < h.nHeaders; i++)
      if (h.drop[i] === 2) {
        h.drop[i] = 0;
        h.dropCount--;
      }
  }

  /** Appends one header line (`name: value`, no CRLF) after the kept ones. */
  append(line: string): void {
    this.part(line);
    this.part('\r\n');
  }

  /** Appends the header line `name: value`. */
  appendHeader(name: string, value: string): void {
    this.part(name);
    this.part(': ');
    this.part(value);
    this.part('\r\n');
  }

  private part(s: string): void {
    const k = this.nParts++;
    if (k < this.parts.length) this.parts[k] = s;
    else this.parts.push(s);
    this.partsLen += s.length;
  }

  /** Writes the appended pieces at `at`; returns how many bytes. */
  private writeParts(out: Buffer, at: number): number {
    let o = at;
    for (let k = 0; k < this.nParts; k++) o += putLatin1(out, this.parts[k], o);
    return o - at;
  }

  /** Appends ready-made header lines, each ending in CRLF. */
  appendLines(lines: string): void {
    this.part(lines);
  }

  /** Replaces every `name` header by one line with `value`. */
  set(lowerName: Uint8Array, name: string, value: string): void {
    this.drop(lowerName);
    this.appendHeader(name, value);
  }

  setMethod(method: string): void {
    this.method = method;
  }

  /** The path part of the request target (before `?`). */
  setPath(path: string): void {
    this.path = path;
  }

  /** The query string without `?`; null removes it. */
  setQuery(query: string | null): void {
    this.query = query ?? '';
  }

  /** Replaces the whole start line, CRLF included (e.g. a status line re-spoken as HTTP/1.1). */
  setStartLine(lineWithCrlf: string): void {
    this.startLine = lineWithCrlf;
  }

  /** The request target as it will be sent. */
  target(): string {
    const h = this.head!;
    const uri = this.buf!.toString('latin1', h.uriStart, h.uriEnd);
    if (this.path === null && this.query === null) return uri;
    const q = uri.indexOf('?');
    const path = this.path ?? (q < 0 ? uri : uri.slice(0, q));
    const query = this.query ?? (q < 0 ? '' : uri.slice(q + 1));
    return query === '' ? path : `${path}?${query}`;
  }

  private requestLine(): string | null {
    const h = this.head!;
    if (this.startLine !== null) return this.startLine;
    if (this.method === null && this.path === null && this.query === null && h.canonicalStart) return null;
    return `${this.method ?? h.method} ${this.target()} HTTP/1.${h.versionMinor}\r\n`;
  }

  private nameIs(i: number, lowerName: Uint8Array): boolean {
    const h = this.head!;
    const s = h.hdr[i * 6];
    const e = h.hdr[i * 6 + 1];
    return e - s === lowerName.length && eqLower(this.buf!, s, e, lowerName);
  }

  /**
   * The head to forward plus as much of the following body (buf[headEnd, headEnd + avail)) as belongs
   * to this message, which `body` consumes. Null when the body start is malformed.
   */
  build(headEnd: number, avail: number, body: BodyFraming): { buf: Buffer; bodyTaken: number } | null {
    const h = this.head!;
    const buf = this.buf!;
    let bodyTaken = 0;
    if (avail > 0) {
      bodyTaken = body.consume(buf, headEnd, headEnd + avail);
      if (bodyTaken < 0) return null;
    }
    const startLine = h.isRequest ? this.requestLine() : this.startLine;
    const lastLine = h.lastLineStart;
    const tail = headEnd - lastLine + bodyTaken; // empty line + body start
    const extraLen = this.partsLen;
    const values = this.values;
    if (h.dropCount === 0 && startLine === null && values === null) {
      const out = Buffer.allocUnsafe(lastLine + extraLen + tail);
      buf.copy(out, 0, 0, lastLine);
      if (extraLen > 0) this.writeParts(out, lastLine);
      buf.copy(out, lastLine + extraLen, lastLine, headEnd + bodyTaken);
      return { buf: out, bodyTaken };
    }
    const hdr = h.hdr;
    let size = startLine === null ? h.startLineEnd : Buffer.byteLength(startLine, 'latin1');
    for (let i = 0; i < h.nHeaders; i++) {
      if (h.drop[i] !== 0) continue;
      const v = values?.get(i);
      size += v === undefined ? hdr[i * 6 + 5] - hdr[i * 6 + 4] : hdr[i * 6 + 1] - hdr[i * 6] + 4 + v.length;
    }
    const out = Buffer.allocUnsafe(size + extraLen + tail);
    let o = startLine === null ? buf.copy(out, 0, 0, h.startLineEnd) : out.write(startLine, 0, 'latin1');
    for (let i = 0; i < h.nHeaders; i++) {
      if (h.drop[i] !== 0) continue;
      const v = values?.get(i);
      if (v === undefined) o += buf.copy(out, o, hdr[i * 6 + 4], hdr[i * 6 + 5]);
      else {
        o += buf.copy(out, o, hdr[i * 6], hdr[i * 6 + 1]);
        o += putLatin1(out, `: ${v}\r\n`, o);
      }
    }
    if (extraLen > 0) o += this.writeParts(out, o);
    buf.copy(out, o, lastLine, headEnd + bodyTaken);
    return { buf: out, bodyTaken };
  }
}
