/**
 * Splits a script command as keepalived does (keepalived.conf(5), "Quoted strings"): unquoted spaces
 * separate the program from its arguments; single quotes keep an argument with spaces together.
 * `"/bin/notify.sh 'a b' c"` (already unquoted once by the config reader) → ['/bin/notify.sh', 'a b', 'c'].
 */
export function splitScriptCommand(command: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (const c of command) {
    if (c === "'") {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
