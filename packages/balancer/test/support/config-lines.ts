/** The `defaults` section most process-level tests start from: HTTP, short timeouts (both proxies accept it). */
export const HTTP_DEFAULTS: readonly string[] = [
  'defaults',
  '    mode http',
  '    timeout client 5s',
  '    timeout server 5s',
  '    timeout connect 1s',
];
