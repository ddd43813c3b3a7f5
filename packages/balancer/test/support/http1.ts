/**
 * The one HTTP/1 message parser of the balancer's tests: deliberately lenient splitters. They do not
 * judge validity (that is the job of the proxy under test); they only cut a byte stream into messages so
 * a test can say what a peer received. Bytes are handled as latin1 so every octet survives.
 */

export type Head = {
  startLine: string;
  headers: [string, string][];
  /** Offset just past the blank line. */
  end: number;
};

/** Finds the end of a head (CRLFCRLF or bare LF LF) starting at `from`; null when incomplete. */
export function splitHead(buf: string, from = 0): Head | null {
  let i = from;
  const lines: string[] = [];
  while (true) {
    const nl = buf.indexOf('\n', i);
    if (nl < 0) return null;
    const line = buf.slice(i, nl).replace(/\r$/, '');
    i = nl + 1;
    if (line === '') {
      if (lines.length === 0) continue; // tolerate leading empty lines
      break;
    }
    lines.push(line);
  }
  const [startLine, ...rest] = lines;
  const headers: [string, string][] = [];
  for (const l of rest) {
    if ((l.startsWith(' ') || l.startsWith('\t')) && headers.length > 0) {
      const last = headers[headers.length - 1];
      last[1] += ` ${l.trim()}`;
      continue;
    }
    const c = l.indexOf(':');
    if (c < 0) headers.push([l, '']);
    else headers.push([l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()]);
  }
  return { startLine: startLine ?? '', headers, end: i };
}

export function header(h: Head, name: string): string | null {
  const vals = h.headers.filter(([k]) => k === name).map(([, v]) => v);
  return vals.length ? vals.join(', ') : null;
}

/** Decodes a chunked body from `from`: the decoded body and where it ended, or null when incomplete. */
export function readChunked(buf: string, from: number): { body: string; end: number } | null {
  let i = from;
  let body = '';
  while (true) {
    const nl = buf.indexOf('\n', i);
    if (nl < 0) return null;
    const size = Number.parseInt(
      buf
        .slice(i, nl)
        .replace(/[;\r].*$/s, '')
        .trim(),
      16,
    );
    i = nl + 1;
    if (!Number.isFinite(size) || size < 0) return { body: `${body}<bad chunk>`, end: buf.length };
    if (size === 0) {
      // trailers up to the empty line
      while (true) {
        const t = buf.indexOf('\n', i);
        if (t < 0) return null;
        const line = buf.slice(i, t).replace(/\r$/, '');
        i = t + 1;
        if (line === '') return { body, end: i };
      }
    }
    if (buf.length < i + size) return null;
    body += buf.slice(i, i + size);
    i += size;
    if (buf.startsWith('\r\n', i)) i += 2;
    else if (buf.startsWith('\n', i)) i += 1;
    else if (buf.length <= i + 1) return null;
  }
}

export type ParsedRequest = {
  head: Head;
  body: string;
  complete: boolean;
  end: number;
};

/** Splits what a backend received into requests (CL or chunked bodies; otherwise none). */
export function splitRequests(buf: string): ParsedRequest[] {
  const out: ParsedRequest[] = [];
  let i = 0;
  while (i < buf.length) {
    const head = splitHead(buf, i);
    if (!head) {
      out.push({
        head: { startLine: buf.slice(i), headers: [], end: buf.length },
        body: '',
        complete: false,
        end: buf.length,
      });
      break;
    }
    const te = header(head, 'transfer-encoding');
    const cl = header(head, 'content-length');
    if (te && /chunked\s*$/i.test(te)) {
      const c = readChunked(buf, head.end);
      if (!c) {
        out.push({ head, body: buf.slice(head.end), complete: false, end: buf.length });
        break;
      }
      out.push({ head, body: c.body, complete: true, end: c.end });
      i = c.end;
    } else if (cl !== null && /^\d+$/.test(cl.split(',')[0].trim())) {
      const n = Number(cl.split(',')[0].trim());
      if (buf.length < head.end + n) {
        out.push({ head, body: buf.slice(head.end), complete: false, end: buf.length });
        break;
      }
      out.push({ head, body: buf.slice(head.end, head.end + n), complete: true, end: head.end + n });
      i = head.end + n;
    } else {
      out.push({ head, body: '', complete: true, end: head.end });
      i = head.end;
    }
  }
  return out;
}

export type ParsedResponse = {
  status: number;
  head: Head;
  body: string;
  /** false when the stream stopped inside this response. */
  complete: boolean;
  /** Offset just past this response. */
  end: number;
};

/**
 * Splits what a client received into responses. `headRequests[i]` says whether the i-th final
 * response answers a HEAD (no body). Close-delimited bodies are complete only when `eof`.
 */
export function splitResponses(buf: string, eof: boolean, headRequests: boolean[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let i = 0;
  let finals = 0;
  while (i < buf.length) {
    const head = splitHead(buf, i);
    if (!head) {
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(buf.slice(i));
      out.push({
        status: m ? Number(m[1]) : 0,
        head: { startLine: buf.slice(i, i + 80), headers: [], end: buf.length },
        body: '',
        complete: false,
        end: buf.length,
      });
      break;
    }
    const m = /^HTTP\/\d\.\d (\d{3})/.exec(head.startLine);
    const status = m ? Number(m[1]) : 0;
    if (status >= 100 && status < 200 && status !== 101) {
      out.push({ status, head, body: '', complete: true, end: head.end });
      i = head.end;
      continue;
    }
    const isHead = headRequests[finals] ?? false;
    finals++;
    const te = header(head, 'transfer-encoding');
    const cl = header(head, 'content-length');
    if (isHead || status === 204 || status === 304 || status === 101) {
      out.push({ status, head, body: '', complete: true, end: head.end });
      i = head.end;
    } else if (te && /chunked\s*$/i.test(te)) {
      const c = readChunked(buf, head.end);
      if (!c) {
        out.push({ status, head, body: buf.slice(head.end), complete: false, end: buf.length });
        break;
      }
      out.push({ status, head, body: c.body, complete: true, end: c.end });
      i = c.end;
    } else if (cl !== null && /^\d+$/.test(cl.trim())) {
      const n = Number(cl.trim());
      const complete = buf.length >= head.end + n;
      const end = Math.min(buf.length, head.end + n);
      out.push({ status, head, body: buf.slice(head.end, end), complete, end });
      i = head.end + n;
      if (!complete) break;
    } else {
      out.push({ status, head, body: buf.slice(head.end), complete: eof, end: buf.length });
      break;
    }
  }
  return out;
}

/**
 * The status of every status line in a raw text, interim ones included: enough for "which answers came,
 * in which order" without knowing which requests were HEAD (splitResponses needs that to frame bodies).
 */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}
