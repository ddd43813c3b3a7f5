/**
 * `observe layer4|layer7`: what live traffic tells a server's health counter (check.c
 * __health_adjust, analyze_statuses). The data path reports events through `ServerState.observe`
 * (set only for servers that observe); this table says which events count for which layer.
 */
export type ObservedEvent =
  | 'l4-ok'
  | 'l4-err'
  | 'http-ok'
  | 'http-sts'
  | 'http-rsp'
  | 'http-read-timeout'
  | 'http-broken-pipe';

/** [description, layer4 verdict, layer7 verdict]: 0 ignore, 1 error, 2 OK (HAProxy's `lr`). */
const TABLE: Record<ObservedEvent, readonly [string, number, number]> = {
  'l4-ok': ['L4 successful connection', 2, 0],
  'l4-err': ['L4 unsuccessful connection', 1, 1],
  'http-ok': ['Correct http response', 0, 2],
  'http-sts': ['Wrong http response', 0, 1],
  'http-rsp': ['Invalid http response', 0, 1],
  'http-read-timeout': ['Read timeout (http)', 0, 1],
  'http-broken-pipe': ['Close from server (http)', 0, 1],
};

/** 'error', 'ok' or null (the event does not count for this layer). */
export function verdict(event: ObservedEvent, layer: 'layer4' | 'layer7'): 'error' | 'ok' | null {
  const v = TABLE[event][layer === 'layer4' ? 1 : 2];
  return v === 1 ? 'error' : v === 2 ? 'ok' : null;
}

export function describeEvent(event: ObservedEvent): string {
  return TABLE[event][0];
}

/** HAProxy counts 5xx answers as server errors, except 501 and 505 (the client asked for them). */
export function httpStatusEvent(status: number): ObservedEvent {
  return status >= 500 && status !== 501 && status !== 505 ? 'http-sts' : 'http-ok';
}
