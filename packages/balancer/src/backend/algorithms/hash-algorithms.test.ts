/**
 * The hashing algorithms (source, uri, url_param, hdr) through the shared suite, map-based and
 * consistent; their exact server choices are compared with HAProxy's in test/lb-algorithms.test.ts.
 */
import type { Balance, HashType } from '../../engine/engine-config.ts';
import { requestContext, runAlgorithmSuite } from './algorithm.case.ts';
import type { AlgorithmFactory } from './algorithm.ts';
import { headerHash } from './hdr.ts';
import { sourceHash } from './source.ts';
import { uriHash } from './uri.ts';
import { urlParamHash } from './url-param.ts';

const ROWS: [string, AlgorithmFactory, Balance, (i: number) => string][] = [
  ['source', sourceHash, { algorithm: 'source' }, () => 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
  [
    'uri',
    uriHash,
    { algorithm: 'uri', whole: false, pathOnly: false, len: null, depth: null },
    (i) => `GET /k/${i}/item.html HTTP/1.1\r\nHost: x\r\n\r\n`,
  ],
  [
    'url_param',
    urlParamHash,
    { algorithm: 'url_param', param: 'id', checkPost: false },
    (i) => `GET /p?a=1&id=${i * 7919} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ],
  [
    'hdr(X-Key)',
    headerHash,
    { algorithm: 'hdr', header: 'X-Key', useDomainOnly: false },
    (i) => `GET / HTTP/1.1\r\nHost: x\r\nX-Key: user-${i}\r\n\r\n`,
  ],
];

for (const [name, factory, balance, raw] of ROWS)
  for (const method of ['map-based', 'consistent'] as const) {
    const hashType: HashType = { method, function: 'sdbm', avalanche: true };
    runAlgorithmSuite(`${name} (${method})`, factory, {
      balance,
      hashType,
      weighted: true,
      sticky: true,
      tolerance: method === 'consistent' ? 0.1 : 0.04,
      avoidsExcluded: method === 'consistent',
      context: (i) => requestContext(raw(i)),
    });
  }
