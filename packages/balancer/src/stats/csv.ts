/** HAProxy 2.6's CSV stats format (`;csv`, `show stat`): a `# ` header, one line per row, each ending in `,`. */
import { ALL_FIELDS, type Row, rowValues, type Value } from './fields.ts';

export const CSV_HEADER = `# ${ALL_FIELDS.join(',')},\n`;

/** csv_enc(): a value with a comma, quote or line break is quoted, quotes doubled. */
function cell(v: Value): string {
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(row: Row): string {
  let s = '';
  for (const v of rowValues(row)) s += `${cell(v)},`;
  return `${s}\n`;
}

export function csv(rows: readonly Row[]): string {
  let s = CSV_HEADER;
  for (const r of rows) s += csvLine(r);
  return s;
}
