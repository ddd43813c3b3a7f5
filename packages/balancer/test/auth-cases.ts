/**
 * The differential table of HTTP authentication (configuration.txt §3.4 userlists, §4.2 `http-request
 * auth`, §7.3.6 `http_auth*` fetches, §4.2 `stats http-request` and `stats admin`): rows in the
 * format of rules-cases.ts, run by rules-run.ts through HAProxy 2.6 or the balancer. auth-record.ts
 * records HAProxy's answers into auth-expected.json; auth.test.ts checks the balancer's against them.
 *
 * The password hashes are openssl's (`openssl passwd -6|-5 -salt saltsalt s3cret`), not ours.
 */
import type { RuleCase, RuleRequest } from './rules-cases.ts';

const SHA512 =
  '$6$saltsalt$As4wrv0kZlfch1du9WeH7qhskyLriQWySXrZzynnvi46nFnNxjdpl6ksRegrrKexvhIa/Iny8S8uF3fVWTMuC1';
const SHA256 = '$5$saltsalt$i1q2ZQzc.tl/BQ6CHiENAcVDvEY6nJ1OWlWXKh94b1.';

/** One userlist for the whole table (the first row carries it). */
const USERLIST = `userlist users
    group admins
    group ops users bob
    user alice password ${SHA512} groups admins
    user bob insecure-password hunter2
    user carol password ${SHA256} groups ops,admins
`;

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'latin1').toString('base64')}`;
const as = (userPass: string, target = '/'): RuleRequest => ({
  target,
  headers: [['Authorization', basic(userPass)]],
});
const anon = (target = '/'): RuleRequest => ({ target });

const rows: RuleCase[] = [];
const GATE = 'http-request auth realm "Staff only" unless { http_auth(users) }';
const add = (id: string, lines: string[], req: RuleRequest) => rows.push({ id, lines, req });
const ret = (expr: string) => `http-request return status 200 hdr x-m "%[${expr}]"`;

rows.push({ id: 'auth-plain', lines: ['http-request auth'], req: anon(), sections: USERLIST });
add('auth-plain-http10', ['http-request auth'], { target: '/', http10: true });
add('auth-realm-none', [GATE], anon());
add('auth-realm-escaped', ['http-request auth realm Back\\ office unless { http_auth(users) }'], anon());
add('auth-absolute-uri', [GATE], { target: 'http://ex.com/p', headers: [['Host', 'ex.com']] });
add('auth-sha512-ok', [GATE], as('alice:s3cret'));
add('auth-sha512-wrong', [GATE], as('alice:s3cret2'));
add('auth-sha256-ok', [GATE], as('carol:s3cret'));
add('auth-insecure-ok', [GATE], as('bob:hunter2'));
add('auth-insecure-wrong', [GATE], as('bob:hunter'));
add('auth-unknown-user', [GATE], as('mallory:s3cret'));
add('auth-empty-password', [GATE], as('bob:'));
add('auth-colon-in-password', ['http-request return status 200 hdr x-m "%[http_auth_pass]"'], as('bob:a:b'));
add('auth-no-colon', [GATE], as('bob'));
add('auth-lowercase-scheme', [GATE], {
  target: '/',
  headers: [['Authorization', `basic ${Buffer.from('bob:hunter2').toString('base64')}`]],
});
add('auth-bearer', [GATE], { target: '/', headers: [['Authorization', 'Bearer abc.def']] });
add('auth-bad-base64', [GATE], { target: '/', headers: [['Authorization', 'Basic !!!not-base64']] });
add('auth-two-headers-wrong-first', [GATE], {
  target: '/',
  headers: [
    ['Authorization', basic('bob:wrong')],
    ['Authorization', basic('bob:hunter2')],
  ],
});
add('auth-two-headers-right-first', [GATE], {
  target: '/',
  headers: [
    ['Authorization', basic('bob:hunter2')],
    ['Authorization', basic('bob:wrong')],
  ],
});
add('auth-proxy-authorization', [GATE], {
  target: '/',
  headers: [['Proxy-Authorization', basic('bob:hunter2')]],
});
add('auth-group-member', ['http-request deny unless { http_auth_group(users) admins }'], as('alice:s3cret'));
add(
  'auth-group-not-member',
  ['http-request deny unless { http_auth_group(users) admins }'],
  as('bob:hunter2'),
);
add(
  'auth-group-by-group-line',
  ['http-request deny unless { http_auth_group(users) ops }'],
  as('bob:hunter2'),
);
add('auth-group-wrong-password', ['http-request deny unless { http_auth_group(users) ops }'], as('bob:x'));
add(
  'auth-group-any-of',
  ['http-request deny unless { http_auth_group(users) admins ops }'],
  as('bob:hunter2'),
);
add('auth-acl-named', ['acl ok http_auth(users)', 'http-request auth realm x if !ok'], as('carol:s3cret'));
add('fetch-auth-user', [ret('http_auth_user')], as('alice:anything'));
add('fetch-auth-pass', [ret('http_auth_pass')], as('alice:anything'));
add('fetch-auth-type', [ret('http_auth_type')], as('alice:anything'));
add('fetch-auth-type-bearer', [ret('http_auth_type')], {
  target: '/',
  headers: [['Authorization', 'Bearer t']],
});
add('fetch-auth-user-none', [ret('http_auth_user')], anon());
add('fetch-auth-bool', [ret('http_auth(users)')], as('bob:hunter2'));
add('fetch-auth-group', [ret('http_auth_group(users)')], as('carol:s3cret'));

// the stats page (`stats enable` in the row's frontend): answers are reduced to the status line, the
// WWW-Authenticate header and whether the admin form is offered (auth.test.ts)
const STATS = ['stats enable', 'stats uri /st'];
add(
  'stats-rule-auth',
  [...STATS, 'stats http-request auth realm Stats unless { http_auth(users) }'],
  anon('/st'),
);
add(
  'stats-rule-auth-ok',
  [...STATS, 'stats http-request auth realm Stats unless { http_auth(users) }'],
  as('bob:hunter2', '/st'),
);
add(
  'stats-rule-auth-no-realm',
  [...STATS, 'stats http-request auth unless { http_auth(users) }'],
  anon('/st'),
);
add('stats-rule-deny', [...STATS, 'stats http-request deny if { hdr(x-block) -m found }'], {
  target: '/st',
  headers: [['X-Block', '1']],
});
add(
  'stats-rule-deny-not-matching',
  [...STATS, 'stats http-request deny if { hdr(x-block) -m found }'],
  anon('/st'),
);
add(
  'stats-rule-allow-first',
  [...STATS, 'stats http-request allow if { hdr(x-pass) -m found }', 'stats http-request deny'],
  { target: '/st', headers: [['X-Pass', '1']] },
);
add(
  'stats-rule-allow-then-deny',
  [...STATS, 'stats http-request allow if { hdr(x-pass) -m found }', 'stats http-request deny'],
  anon('/st'),
);
add(
  'stats-admin-group',
  [...STATS, 'stats admin if { http_auth_group(users) admins }'],
  as('alice:s3cret', '/st'),
);
add(
  'stats-admin-group-not',
  [...STATS, 'stats admin if { http_auth_group(users) admins }'],
  as('bob:hunter2', '/st'),
);
add('stats-admin-header', [...STATS, 'stats admin if { hdr(x-admin) -m str yes }'], {
  target: '/st',
  headers: [['X-Admin', 'yes']],
});
add('stats-admin-header-not', [...STATS, 'stats admin if { hdr(x-admin) -m str yes }'], anon('/st'));

export const AUTH_CASES: readonly RuleCase[] = rows;

/**
 * What is compared of an answer: all of it, except for the stats page, whose HTML holds times and
 * counters: there, the status line, the challenge and whether the admin form is offered.
 */
export function comparableAnswer(id: string, answer: string): string {
  if (!id.startsWith('stats-')) return answer;
  const lines = answer.split('\n');
  const challenge = lines.filter((l) => l.startsWith('www-authenticate:'));
  const admin = lines[0].includes(' 200 ')
    ? [`admin form: ${answer.includes('method="post"') ? 'yes' : 'no'}`]
    : [];
  return [lines[0], ...challenge, ...admin].join('\n');
}
