/**
 * `map(FILE[,DEFAULT])` and its `map_<match>_<out>` forms: the file is read once at start-up (key,
 * blanks, value per line; `#` comments), the keys compiled with the same matchers as ACLs.
 */
import { compileMatcher, type MatchMethod } from '../patterns.ts';
import { type Sample, toStr } from '../sample.ts';

export type MapLoader = (file: string) => string;

export function parseMapFile(text: string): { keys: string[]; values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
    if (!m) continue;
    keys.push(m[1]);
    values.push(m[2] ?? '');
  }
  return { keys, values };
}

export function compileMap(
  method: string,
  outType: string,
  file: string,
  dflt: string | null,
  load: MapLoader,
): (v: Sample) => Sample {
  const { keys, values } = parseMapFile(load(file));
  const match = compileMatcher(method as MatchMethod, keys, false);
  const conv = (s: string): Sample => {
    if (outType === 'int') {
      const n = Number.parseInt(s, 10);
      return Number.isNaN(n) ? null : n;
    }
    return s;
  };
  const out = values.map(conv);
  const d = dflt === null ? null : conv(dflt);
  return (v) => {
    if (toStr(v) === null) return d;
    const i = match(v);
    return i < 0 ? d : out[i];
  };
}
