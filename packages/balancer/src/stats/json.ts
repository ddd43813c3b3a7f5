/**
 * The typed views of the stats rows: `show stat typed` (`F.2.0.4.scur.1:MGP:u32:0`) and the JSON of
 * `show stat json` / `;json` (one array of field objects per line), with HAProxy's tags per field
 * (field-tags.ts, recorded from haproxy 2.6).
 */
import { FIELD_TAGS } from './field-tags.ts';
import { ALL_FIELDS, type Row, rowValues, TYPE_BE, TYPE_FE } from './fields.ts';

const ORIGIN: Record<string, string> = { K: 'Key', C: 'Config', P: 'Product', S: 'Status', M: 'Metric' };
const NATURE: Record<string, string> = {
  A: 'Age',
  a: 'Avg',
  C: 'Counter',
  D: 'Duration',
  G: 'Gauge',
  L: 'Limit',
  M: 'Max',
  N: 'Name',
  O: 'Output',
  R: 'Rate',
  T: 'Time',
};
const SCOPE: Record<string, string> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' };

function kindOf(row: Row): 'F' | 'B' | 'S' {
  return row.type === TYPE_FE ? 'F' : row.type === TYPE_BE ? 'B' : 'S';
}

/** Each set field of a row with its position, tags and type (fields without a tag are left out). */
function typedFields(
  row: Row,
): { pos: number; name: string; tag: string; type: string; value: string | number }[] {
  const kind = kindOf(row);
  const values = rowValues(row);
  const out = [];
  for (let pos = 0; pos < values.length; pos++) {
    const value = values[pos];
    const name = ALL_FIELDS[pos];
    if ((value === '' && !(row.setEmpty as readonly string[] | undefined)?.includes(name)) || name === '-')
      continue;
    const t = FIELD_TAGS[kind][name] ?? (typeof value === 'string' ? 'OOS:str' : 'MGP:u32');
    const [tag, type] = t.split(':');
    out.push({ pos: pos > 103 ? pos - 1 : pos, name, tag, type, value });
  }
  return out;
}

export function statsTyped(rows: readonly Row[]): string {
  let s = '';
  for (const row of rows) {
    const k = kindOf(row);
    for (const f of typedFields(row))
      s += `${k}.${row.iid}.${row.sid}.${f.pos}.${f.name}.1:${f.tag}:${f.type}:${f.value}\n`;
  }
  return `${s}\n`;
}

const OBJ = { F: 'Frontend', B: 'Backend', S: 'Server' } as const;

export function statsJson(rows: readonly Row[]): string {
  const lines = rows.map((row) => {
    const k = kindOf(row);
    return typedFields(row).map((f) => ({
      objType: OBJ[k],
      proxyId: row.iid,
      id: row.sid,
      field: { pos: f.pos, name: f.name },
      processNum: 1,
      tags: { origin: ORIGIN[f.tag[0]], nature: NATURE[f.tag[1]], scope: SCOPE[f.tag[2]] },
      value: {
        type: f.type,
        value: typeof f.value === 'number' && f.type === 'str' ? String(f.value) : f.value,
      },
    }));
  });
  return `${JSON.stringify(lines)}\n`;
}
