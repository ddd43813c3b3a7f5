/**
 * The character-level helpers HAProxy's cookie code is built on (http.c, http_ana.c), ported as they
 * are so the rewritten headers come out byte for byte the same: where a cookie value ends, and how a
 * value is cut out of a header with its delimiter (`http_del_hdr_value()`).
 */

/** SP or HTAB (HAProxy's HTTP_IS_SPHT). */
export function isSpHt(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * `name = value` as `name=value`: the spaces between the name's end (`attEnd`) and the `=`, and
 * between the `=` and the value's start (`valBeg`), go (HAProxy rewrites every cookie of the line
 * so, ours or not). The `=` is then at attEnd, the value at attEnd + 1, and everything from the
 * value on has moved by attEnd + 1 - valBeg.
 */
export function withoutSpacesAroundEqual(v: string, attEnd: number, valBeg: number): string {
  return `${v.slice(0, attEnd)}=${v.slice(valBeg)}`;
}

/** End of a cookie value from `s`: the first unquoted `,` or `;` (`http_find_cookie_value_end()`). */
export function cookieValueEnd(v: string, s: number, e: number): number {
  let quoted = false;
  let qdpair = false;
  for (; s < e; s++) {
    const c = v.charCodeAt(s);
    if (qdpair) qdpair = false;
    else if (quoted) {
      if (c === 0x5c) qdpair = true;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x2c || c === 0x3b) return s;
  }
  return s;
}

/** End of a header value element from `s`: the first unquoted `,` (`http_find_hdr_value_end()`). */
export function headerValueEnd(v: string, s: number, e: number): number {
  let quoted = false;
  let qdpair = false;
  for (; s < e; s++) {
    const c = v.charCodeAt(s);
    if (qdpair) qdpair = false;
    else if (quoted) {
      if (c === 0x5c) qdpair = true;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x2c) return s;
  }
  return s;
}

/** The result of cutting a value out of a header. */
export interface Cut {
  /** the header value after the cut */
  v: string;
  /** where the cut started (moved back over spaces before the old delimiter) */
  from: number;
  /** how much everything after the cut moved (negative) */
  delta: number;
}

/**
 * Removes the value between the delimiter (or start) at `from` and the delimiter (or end) at `next`,
 * as HAProxy does: the first value takes its following delimiter and spaces with it; otherwise the
 * spaces before `from` go, `next`'s delimiter replaces `from`'s, followed by exactly one space when
 * there is room for it, and the spaces after `next` go.
 */
export function cutValue(v: string, from: number, next: number): Cut {
  const end = v.length;
  let prev = from;
  let insert = '';
  if (prev === 0) {
    if (next < end) next++;
    while (next < end && isSpHt(v.charCodeAt(next))) next++;
  } else {
    while (prev > 0 && isSpHt(v.charCodeAt(prev - 1))) prev--;
    from = prev;
    if (next < end) {
      insert = v[next];
      next++;
      if (prev + 1 + 1 < next) insert += ' ';
      while (next < end && isSpHt(v.charCodeAt(next))) next++;
    }
  }
  return { v: v.slice(0, prev) + insert + v.slice(next), from, delta: prev + insert.length - next };
}
