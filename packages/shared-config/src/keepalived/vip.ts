import { suggest } from '../common/did-you-mean.ts';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { Vip } from './model.ts';
import { entryWords, ipFamily, type Reporter } from './values.ts';

const SCOPES = new Set(['site', 'link', 'host', 'nowhere', 'global']);
/** options `ip address add` knows that the agent parses but does not apply (warned) */
const FLAGS_NOT_APPLIED = new Set([
  'home',
  '-nodad',
  'nodad',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'no_track',
  'use_vmac',
]);
const VALUED_NOT_APPLIED = new Set(['peer', 'preferred_lft', 'track_group']);
const ALL_OPTIONS = ['brd', 'dev', 'scope', 'label', ...FLAGS_NOT_APPLIED, ...VALUED_NOT_APPLIED];

/**
 * One `virtual_ipaddress` entry: `<IPADDR>[/<MASK>] [brd <IPADDR>] [dev <STRING>] [scope <SCOPE>]
 * [label <LABEL>] …` (keepalived.conf(5)).
 */
export function parseVip(r: Reporter, entry: ConfigNode): Vip | null {
  if (entry.children !== null) {
    r.error(entry, KA.badVip, `a virtual IP address takes no '{ … }' block - write 'ADDR[/PREFIX] [dev IF]'`);
    return null;
  }
  const words = entryWords(entry);
  const first = words[0];
  const [addr, pfx, more] = first.text.split('/');
  const family = ipFamily(addr);
  if (family === null || more !== undefined) {
    r.error(
      first,
      KA.badVip,
      `VRRP parsed invalid IP ${first.text} - write an address like 192.168.1.10/24 or fd00::10/64`,
    );
    return null;
  }
  const maxPrefix = family === 4 ? 32 : 128;
  let prefix = maxPrefix;
  if (pfx !== undefined) {
    if (!/^\d+$/.test(pfx) || Number(pfx) > maxPrefix) {
      r.error(
        first,
        KA.badVip,
        `invalid prefix length '/${pfx}' in ${first.text} - must be 0 to ${maxPrefix}`,
      );
      return null;
    }
    prefix = Number(pfx);
  }
  const vip: Vip = {
    address: addr,
    prefix,
    family,
    dev: null,
    label: null,
    scope: null,
    brd: null,
    file: first.file,
    line: first.line,
  };
  for (let i = 1; i < words.length; i++) {
    const opt = words[i].text;
    const value = words[i + 1];
    const needValue = (): boolean => {
      if (value !== undefined) return true;
      r.error(words[i], KA.badVip, `${opt} in virtual IP ${first.text} is missing its value`);
      return false;
    };
    if (opt === 'dev') {
      if (!needValue()) return null;
      vip.dev = value.text;
      i++;
    } else if (opt === 'label') {
      if (!needValue()) return null;
      vip.label = value.text;
      i++;
    } else if (opt === 'scope') {
      if (!needValue()) return null;
      if (!SCOPES.has(value.text) && !/^\d+$/.test(value.text)) {
        r.error(
          value,
          KA.badVip,
          `invalid scope '${value.text}' - write site, link, host, nowhere or global`,
        );
        return null;
      }
      vip.scope = value.text;
      i++;
    } else if (opt === 'brd' || opt === 'broadcast') {
      if (!needValue()) return null;
      if (family !== 4 || ipFamily(value.text) !== 4) {
        r.error(
          value,
          KA.badVip,
          `brd ${value.text}: a broadcast address needs an IPv4 address on an IPv4 VIP`,
        );
        return null;
      }
      vip.brd = value.text;
      i++;
    } else if (FLAGS_NOT_APPLIED.has(opt)) {
      r.warn(words[i], KA.notApplied, `virtual IP option '${opt}' is parsed but not applied by ha-agent`);
    } else if (VALUED_NOT_APPLIED.has(opt)) {
      if (!needValue()) return null;
      r.warn(
        words[i],
        KA.notApplied,
        `virtual IP option '${opt} ${value.text}' is parsed but not applied by ha-agent`,
      );
      i++;
    } else {
      const hint = suggest(opt, ALL_OPTIONS);
      r.error(
        words[i],
        KA.badVip,
        `unknown virtual IP option '${opt}'${hint === null ? ' - options are brd, dev, scope, label' : ` - did you mean '${hint}'?`}`,
      );
      return null;
    }
  }
  return vip;
}
