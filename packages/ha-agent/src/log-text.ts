// The text form of one log record (pure): what a human reads in `journalctl -u ha-agent` or on a
// terminal, modelled on keepalived's lines (`(VI_1) Entering MASTER STATE`, `VRRP_Script(chk) …`).

export interface TextLineOptions {
  /** the journal: a `<N>` syslog priority prefix, no timestamp (journald records both) */
  journal: boolean;
}

/** pino's numeric levels → syslog priorities (sd-daemon(3) prefixes) and the words keepalived uses. */
const LEVELS: Record<number, { priority: number; word: string }> = {
  10: { priority: 7, word: 'TRACE - ' },
  20: { priority: 7, word: 'DEBUG - ' },
  30: { priority: 6, word: '' },
  40: { priority: 4, word: 'WARNING - ' },
  50: { priority: 3, word: 'ERROR - ' },
  60: { priority: 2, word: 'FATAL - ' },
};

/** keepalived's names for what a tracker tracks, as in its own log lines (`VRRP_Script(chk) succeeded`). */
const TRACKER_LABELS: Record<string, string> = {
  script: 'VRRP_Script',
  balancer: 'VRRP_Track_Balancer',
  interface: 'Interface',
  process: 'Track_Process',
  file: 'Track_File',
};

/** Keys shown another way (prefix, level, timestamp) or not at all (the journal knows the pid). */
const SHOWN_ELSEWHERE = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'name',
  'msg',
  'instance',
  'group',
  'tracker',
  'kind',
]);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived's console timestamp (`Wed Dec  2 18:28:08 2026`), local time. */
export function keepalivedTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === 'object' && 'message' in v && typeof v.message === 'string') {
    return JSON.stringify(v.message); // a serialized error: its message is what a reader needs
  }
  return JSON.stringify(v);
}

export function formatTextLine(rec: Record<string, unknown>, opts: TextLineOptions): string {
  const level = LEVELS[rec.level as number] ?? LEVELS[30];
  const msg = typeof rec.msg === 'string' ? rec.msg : '';
  let who = '';
  if (typeof rec.instance === 'string') who = `(${rec.instance}) `;
  else if (typeof rec.group === 'string') who = `VRRP_Group(${rec.group}) `;
  else if (typeof rec.tracker === 'string') {
    who = `${TRACKER_LABELS[rec.kind as string] ?? 'Tracker'}(${rec.tracker}) `;
  }
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (SHOWN_ELSEWHERE.has(k) || v === undefined) continue;
    // a value the message already says (`Entering MASTER STATE` and to=MASTER) is said once
    if (typeof v === 'string' && v.length > 0 && msg.includes(v)) continue;
    fields.push(`${k}=${value(v)}`);
  }
  const tail = fields.length > 0 ? ` ${fields.join(' ')}` : '';
  const head = opts.journal ? `<${level.priority}>` : `${keepalivedTime(rec.time as number)}: ${level.word}`;
  return `${head}${who}${msg}${tail}`;
}
