/**
 * Which certificate a TLS handshake gets, HAProxy 2.6's way (ssl_sock_switchctx_cbk): the SNI name,
 * lower-cased, is looked up among the certificates' exact names first; failing that, its part from
 * the first dot is looked up among wildcard names (`*.example.com` answers `a.example.com`, not
 * `a.b.example.com` nor `example.com`); failing that — or without SNI — the bind's first certificate
 * answers, unless `strict-sni` is set, and then the handshake is refused. When several certificates
 * share a name, the first loaded wins. A crt-list `!name` keeps its line's certificate from answering
 * that name through a wildcard.
 * Pure: built once per bind (and per reload), queried per handshake with no allocation.
 */

export interface Named {
  readonly names: readonly string[];
  readonly negative: readonly string[];
}

export class CertIndex<T extends Named> {
  private readonly exact = new Map<string, T>();
  /** keyed by the name without its `*` (`.example.com`) */
  private readonly wild = new Map<string, T>();
  readonly fallback: T;
  private readonly strict: boolean;

  constructor(entries: readonly T[], strictSni: boolean) {
    if (entries.length === 0) throw new Error('a TLS bind needs at least one certificate');
    this.fallback = entries[0];
    this.strict = strictSni;
    for (const e of entries) {
      for (const raw of e.names) {
        const n = raw.toLowerCase();
        if (n.startsWith('*.')) {
          if (!this.wild.has(n.slice(1))) this.wild.set(n.slice(1), e);
        } else if (!this.exact.has(n)) this.exact.set(n, e);
      }
    }
  }

  /** The certificate for `servername` (null or '' when the client sent none); null = refuse. */
  select(servername: string | null | undefined): T | null {
    if (servername) {
      const name = servername.toLowerCase();
      const e = this.exact.get(name);
      if (e !== undefined) return e;
      const dot = name.indexOf('.');
      if (dot >= 0) {
        const w = this.wild.get(name.slice(dot));
        if (w !== undefined && !w.negative.includes(name)) return w;
      }
    }
    return this.strict ? null : this.fallback;
  }
}
