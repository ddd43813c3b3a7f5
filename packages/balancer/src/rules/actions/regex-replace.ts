/** HAProxy's exp_replace(): `\0`…`\9` in the replacement are the regex groups; the match replaces the whole value. */
export function expandGroups(repl: string, m: RegExpExecArray): string {
  if (!repl.includes('\\')) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const ch = repl[i];
    if (ch === '\\' && i + 1 < repl.length) {
      const d = repl.charCodeAt(i + 1) - 48;
      if (d >= 0 && d <= 9) {
        out += m[d] ?? '';
        i++;
        continue;
      }
      out += repl[i + 1];
      i++;
      continue;
    }
    out += ch;
  }
  return out;
}
