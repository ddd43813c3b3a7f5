/** `balance` (configuration.txt §4.2 "balance"). */
import { suggest } from '../../common/did-you-mean.ts';
import { CODES } from '../context.ts';
import type { Balance, SimpleBalanceAlgorithm } from '../model.ts';
import { parseInteger } from '../values.ts';
import { type ProxyKeyword, usage } from './scope.ts';

export const BALANCE_ALGOS: readonly string[] = [
  'roundrobin',
  'static-rr',
  'leastconn',
  'first',
  'source',
  'uri',
  'url_param',
  'hdr',
  'random',
  'rdp-cookie',
  'hash',
];

export const balanceKeyword: ProxyKeyword = {
  where: 'db',
  ownStatus: true,
  handle(ctx, px) {
    const [algoWord, ...args] = ctx.args;
    if (algoWord === undefined) return usage(ctx, `an algorithm (${BALANCE_ALGOS.join(', ')})`);
    const m = /^([a-z_-]+)(?:\((.*)\))?$/.exec(algoWord);
    const algo = m?.[1] ?? algoWord;
    const bad = (why: string) => ctx.alert(`'balance ${algoWord}' : ${why}.`, CODES.badValue);
    if (!m || !BALANCE_ALGOS.includes(algo)) {
      const hint = suggest(algo, BALANCE_ALGOS);
      ctx.alert(
        // HAProxy 2.6's sentence (backend.c; its list predates 'first', 'random' and 'hash'), then ours
        `balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options. (Also 'first', 'random', 'hash'; got '${algoWord}'${hint ? `; did you mean '${hint}' maybe ?` : ''})`,
        CODES.badValue,
      );
      return;
    }
    const inner = m[2];
    let balance: Balance;
    switch (algo) {
      case 'hdr':
        if (!inner) return bad("'hdr' expects a header name, write 'hdr(Host)'");
        if (args.length > 1 || (args.length === 1 && args[0] !== 'use_domain_only'))
          return bad("only 'use_domain_only' may follow");
        balance = { algorithm: 'hdr', header: inner, useDomainOnly: args.length === 1 };
        break;
      case 'rdp-cookie':
        if (args.length) return bad(`unexpected '${args[0]}'`);
        balance = { algorithm: 'rdp-cookie', cookie: inner || 'mstshash' };
        break;
      case 'random': {
        let draws = 2;
        if (inner !== undefined) {
          const n = parseInteger(inner, 'balance random', 1, 100);
          if (!n.ok) return bad('the number of draws must be an integer between 1 and 100');
          draws = n.value;
        }
        if (args.length) return bad(`unexpected '${args[0]}'`);
        balance = { algorithm: 'random', draws };
        break;
      }
      case 'url_param':
        if (args.length === 0) return bad("expects a URL parameter name, e.g. 'balance url_param userid'");
        if (args.length > 1 && args[1] !== 'check_post')
          return bad(`only 'check_post' may follow the parameter name (got '${args[1]}')`);
        balance = { algorithm: 'url_param', param: args[0], checkPost: args[1] === 'check_post' };
        break;
      case 'uri': {
        const u: Balance & { algorithm: 'uri' } = {
          algorithm: 'uri',
          whole: false,
          pathOnly: false,
          len: null,
          depth: null,
        };
        for (let i = 0; i < args.length; i++) {
          if (args[i] === 'whole') u.whole = true;
          else if (args[i] === 'path-only') u.pathOnly = true;
          else if ((args[i] === 'len' || args[i] === 'depth') && /^[1-9]\d*$/.test(args[i + 1] ?? '')) {
            u[args[i] as 'len' | 'depth'] = Number(args[++i]);
          } else return bad(`unexpected '${args[i]}' (uri accepts whole, len <n>, depth <n>, path-only)`);
        }
        balance = u;
        break;
      }
      case 'hash':
        if (args.length === 0) return bad("expects a sample expression, e.g. 'balance hash req.cookie(id)'");
        balance = { algorithm: 'hash', expression: args.join(' ') };
        break;
      default:
        if (inner !== undefined || args.length) return bad(`'${algo}' takes no argument`);
        balance = { algorithm: algo as SimpleBalanceAlgorithm };
    }
    px.draft.balance = balance;
    ctx.uses(`balance ${algo}`, `balance ${algo}`);
  },
};
