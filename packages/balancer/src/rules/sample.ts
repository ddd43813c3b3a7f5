/**
 * Samples (configuration.txt §7.3): what fetches return and converters transform. A sample is a plain
 * JS value so nothing is boxed per request: a string (HAProxy's str, bin as latin1, meth, and addresses
 * in text form), a number (sint), a boolean, or null when the fetch found nothing. The type a fetch or
 * converter produces is known when the configuration is compiled (the tables' `out`).
 */
export type Sample = string | number | boolean | null;

/** HAProxy's sample types, as far as matching and conversion need them. */
export type SampleType = 'str' | 'int' | 'bool' | 'ip' | 'meth' | 'bin' | 'any';

/** HAProxy's cast of a sample to an integer (str → leading decimal digits, bool → 0/1). */
export function toInt(v: Sample): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? null : n;
}

/** Text form of a sample (int in decimal, bool as 0/1), as log-format and header values print it. */
export function toStr(v: Sample): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** HAProxy's boolean value of a sample: non-zero integer, non-empty... (c_str2int for strings). */
export function toBool(v: Sample): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return (toInt(v) ?? 0) !== 0;
}
