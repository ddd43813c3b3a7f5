/**
 * The stats page's HTML, modelled on HAProxy 2.6's (stats.c stats_dump_html_*): a general block, the
 * legend of state colours, the display options, then one table per proxy with a row for the
 * frontend, one per server and one for the backend. Server rows take HAProxy's state classes
 * (active_up, backup_going_down, maintain, …) and colours.
 */
import { ADMIN_DRAIN, ADMIN_MAINT } from '../backend/server.ts';
import type { Row } from './fields.ts';
import { backendRow, frontendRow, serverRow, serverStatus } from './fields.ts';
import type { ProxyView, ServerView } from './snapshot.ts';

export interface PageInfo {
  uri: string;
  pid: number;
  uptimeMs: number;
  version: string | null;
  node: string | null;
  description: string | null;
  refresh: number | null;
  maxconn: number;
  currentConns: number;
  hideDown: boolean;
  admin: boolean;
  /** text of the last admin action ("Action processed successfully." …), shown above the tables */
  notice: string | null;
}

const esc = (s: string | number): string =>
  String(s).replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );

/** HAProxy's colours (the light theme of 2.6's page) and table layout. */
const STYLE = `body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white;}
th,td { font-size: 10px;}
h1 { font-size: x-large; margin-bottom: 0.5em;}
h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin-top: 0em; margin-bottom: 0em;}
h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin-top: 0em; margin-bottom: 0em;}
li { margin-top: 0.25em; margin-right: 2em;}
.hr {margin-top: 0.25em; border-color: black; border-bottom-style: solid;}
.titre {background: #20D0D0;color: #000000; font-weight: bold; text-align: center;}
.frontend {background: #e8e8d0;}
.backend {background: #e8e8d0;}
.active_down {background: #ff9090;}
.active_going_up {background: #ffd020;}
.active_going_down {background: #ffffa0;}
.active_up {background: #c0ffc0;}
.active_nolb {background: #20a0ff;}
.active_draining {background: #20a0FF;}
.active_no_check {background: #e0e0e0;}
.backup_down {background: #ff9090;}
.backup_going_up {background: #ff80ff;}
.backup_going_down {background: #c060ff;}
.backup_up {background: #b0d0ff;}
.backup_nolb {background: #90b0e0;}
.backup_draining {background: #cc9900;}
.backup_no_check {background: #e0e0e0;}
.maintain {background: #c07820;}
a.px:link, a.px:visited {color: #ffff40; text-decoration: none;}
a.lfsb:link, a.lfsb:visited {color: #000000; text-decoration: none;}
table.tbl { border-collapse: collapse; border-style: none;}
table.tbl td { text-align: right; border-width: 1px; border-style: solid; padding: 2px 3px; border-color: gray; white-space: nowrap;}
table.tbl td.ac { text-align: center;}
table.tbl th { border-width: 1px; border-style: solid; border-color: gray;}
table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; border-style: solid solid none solid; padding: 2px 3px; white-space: nowrap;}
table.tbl th.empty { border-style: none; empty-cells: hide; background: white;}
table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black;}
table.lgd td { border-width: 1px; border-style: solid; border-color: gray; padding: 2px;}
table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap;}`;

function duration(ms: number): string {
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

/** HAProxy's human_time(): `5s`, `3m2s`, `1h4m`, `2d3h`. */
export function humanTime(sec: number): string {
  if (sec < 0) return '';
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${sec % 60}s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h${Math.floor((sec % 3600) / 60)}m`;
  return `${Math.floor(sec / 86400)}d${Math.floor((sec % 86400) / 3600)}h`;
}

const v = (x: string | number | undefined): string => (x === undefined || x === '' ? '' : esc(x));
const td = (x: string | number | undefined, cls = ''): string =>
  `<td${cls ? ` class=${cls}` : ''}>${v(x)}</td>`;

const HEAD = `<tr class="titre"><th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>
<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th>
</tr>`;

function nameCell(px: string, label: string): string {
  return `<td class=ac><a name="${esc(px)}/${esc(label)}"></a><a class=lfsb href="#${esc(px)}/${esc(label)}">${esc(label)}</a></td>`;
}

function frontendHtml(p: ProxyView, r: Row): string {
  return `<tr class="frontend">${nameCell(p.name, 'Frontend')}<td colspan=3></td>${td(r.rate)}${td(r.rate_max)}<td>-</td>${td(r.scur)}${td(r.smax)}${td(r.slim)}${td(r.stot)}<td></td><td></td>${td(r.bin)}${td(r.bout)}${td(r.dreq)}${td(r.dresp)}${td(r.ereq)}<td></td><td></td><td></td><td></td><td class=ac>${v(r.status)}</td><td class=ac colspan=8></td></tr>`;
}

/** The row class of a server: HAProxy's srv_hlt_st → css class mapping. */
export function serverClass(sv: ServerView): string {
  const s = sv.state;
  if ((s.admin & ADMIN_MAINT) !== 0) return 'maintain';
  const kind = s.spec.backup ? 'backup' : 'active';
  const st = serverStatus(sv);
  if ((s.admin & ADMIN_DRAIN) !== 0) return `${kind}_draining`;
  if (st === 'no check') return `${kind}_no_check`;
  if (st === 'UP') return `${kind}_up`;
  if (st.startsWith('UP ')) return `${kind}_going_down`;
  if (st.startsWith('DOWN ')) return `${kind}_going_up`;
  return `${kind}_down`;
}

function serverHtml(p: ProxyView, sv: ServerView, r: Row, admin: boolean): string {
  const checked = sv.check !== undefined;
  const status =
    r.status === 'no check' ? '<i>no check</i>' : `${humanTime(Number(r.lastchg))} ${esc(String(r.status))}`;
  const lastChk =
    checked && r.check_status !== undefined
      ? `${esc(String(r.check_status))}${r.check_code !== undefined ? `/${r.check_code}` : ''}${r.check_duration !== undefined ? ` in ${r.check_duration}ms` : ''}`
      : '';
  const box = admin ? `<td><input type="checkbox" name="s" value="${esc(sv.state.spec.name)}"></td>` : '';
  const name = sv.state.spec.name;
  return `<tr class="${serverClass(sv)}">${box}${nameCell(p.name, name)}${td(r.qcur)}${td(r.qmax)}<td>-</td>${td(r.rate)}${td(r.rate_max)}<td></td>${td(r.scur)}${td(r.smax)}${r.slim !== undefined ? td(r.slim) : '<td>-</td>'}${td(r.stot)}${td(r.lbtot)}<td>${r.lastsess === -1 ? 'never' : humanTime(Number(r.lastsess))}</td>${td(r.bin)}${td(r.bout)}<td></td>${td(r.dresp)}<td></td>${td(r.econ)}${td(r.eresp)}${td(r.wretr)}${td(r.wredis)}<td class=ac>${status}</td><td class=ac>${lastChk}</td><td class=ac>${v(r.weight)}/${v(r.uweight)}</td><td class=ac>${r.act ? 'Y' : '-'}</td><td class=ac>${r.bck ? 'Y' : '-'}</td>${checked ? `${td(r.chkfail)}${td(r.chkdown)}<td>${humanTime(Number(r.downtime))}</td>` : '<td colspan=3></td>'}<td class=ac>-</td></tr>`;
}

function backendHtml(p: ProxyView, r: Row, admin: boolean): string {
  const box = admin ? '<td></td>' : '';
  return `<tr class="backend">${box}${nameCell(p.name, 'Backend')}${td(r.qcur)}${td(r.qmax)}<td></td>${td(r.rate)}${td(r.rate_max)}<td></td>${td(r.scur)}${td(r.smax)}${td(r.slim)}${td(r.stot)}${td(r.lbtot)}<td>${r.lastsess === -1 ? 'never' : humanTime(Number(r.lastsess))}</td>${td(r.bin)}${td(r.bout)}${td(r.dreq)}${td(r.dresp)}<td></td>${td(r.econ)}${td(r.eresp)}${td(r.wretr)}${td(r.wredis)}<td class=ac>${humanTime(Number(r.lastchg))} ${v(r.status)}</td><td class=ac>&nbsp;</td><td class=ac>${v(r.weight)}/${v(r.uweight)}</td><td class=ac>${v(r.act)}</td><td class=ac>${v(r.bck)}</td><td class=ac>&nbsp;</td>${td(r.chkdown)}<td>${r.downtime !== undefined ? humanTime(Number(r.downtime)) : '&nbsp;'}</td><td></td></tr>`;
}

/** HAProxy's admin form actions, those the balancer applies (no agent checks, no forced health). */
const ADMIN_SELECT = `Choose the action to perform on the checked servers : <select name=action><option value=""></option><option value="ready">Set state to READY</option><option value="drain">Set state to DRAIN</option><option value="maint">Set state to MAINT</option><option value="dhlth">Health: disable checks</option><option value="ehlth">Health: enable checks</option><option value="shutdown">Kill Sessions</option></select>`;

export function statsHtml(proxies: readonly ProxyView[], info: PageInfo, now: number): string {
  const flags = { legends: false };
  const out: string[] = [];
  out.push(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"
"http://www.w3.org/TR/html4/loose.dtd">
<html><head><title>Statistics Report for HAProxy${info.node ? ` on ${esc(info.node)}` : ''}</title>
<link rel="icon" href="data:,">
<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">
<style type="text/css"><!--
${STYLE}
-->
</style></head>
<body><h1><a href="http://www.haproxy.org/" style="text-decoration: none;">HAProxy${info.version ? ` version ${esc(info.version)}` : ''}</a></h1>
<h2>Statistics Report for pid ${info.pid}${info.node ? ` on ${esc(info.node)}` : ''}</h2>
<hr width="100%" class="hr">
<h3>&gt; General process information</h3>
<table border=0><tr><td align="left" nowrap width="1%">
<p><b>pid = </b> ${info.pid} (process #1, nbproc = 1, nbthread = 1)<br>
<b>uptime = </b> ${duration(info.uptimeMs)}<br>
<b>maxconn = </b> ${info.maxconn}<br>
current conns = ${info.currentConns}<br>
${info.description ? `<b>description:</b> ${esc(info.description)}<br>` : ''}</td><td align="center" nowrap>
<table class="lgd"><tr>
<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>
<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>
<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>
<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>
<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>
<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>
Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.</td><td align="left" valign="top" nowrap width="1%"><b>Display option:</b><ul style="margin-top: 0.25em;">
<li><a href="${esc(info.uri)}${info.hideDown ? '' : ';up'}">${info.hideDown ? 'Show all servers' : "Hide 'DOWN' servers"}</a><br>
${info.refresh !== null ? `<li><a href="${esc(info.uri)};norefresh">Disable refresh</a><br>\n` : ''}<li><a href="${esc(info.uri)}">Refresh now</a><br>
<li><a href="${esc(info.uri)};csv;norefresh">CSV export</a><br>
<li><a href="${esc(info.uri)};json;norefresh">JSON export</a><br>
</ul></td></tr></table>
${info.notice ? `<p><div class=${info.notice.startsWith('Action processed') ? 'active_up' : 'active_down'}><a class=lfsb href="${esc(info.uri)}" title="Remove this message">[X]</a> ${esc(info.notice)}</div>\n` : ''}`);
  for (const p of proxies) {
    const admin = info.admin && p.backend !== null && p.servers.length > 0;
    out.push(`<table class="tbl" width="100%">
<tr class="titre"><th class="pxname" width="10%"><a name="${esc(p.name)}"></a><a class=px href="#${esc(p.name)}">${esc(p.name)}</a></th><th class="empty" width="90%"></th></tr>
</table>
${admin ? `<form method="post">` : ''}<table class="tbl" width="100%">
${admin ? HEAD.replace('<th rowspan=2></th>', '<th rowspan=2 width=1></th><th rowspan=2></th>') : HEAD}`);
    if (p.frontend !== null) out.push(frontendHtml(p, frontendRow(p, now)));
    if (p.backend !== null) {
      for (const sv of p.servers) {
        if (info.hideDown && !sv.state.up) continue;
        out.push(`\n${serverHtml(p, sv, serverRow(p, sv, flags, now), admin)}`);
      }
      out.push(`\n${backendHtml(p, backendRow(p, flags, now), admin)}`);
    }
    out.push(
      `</table>${admin ? `${ADMIN_SELECT}<input type="hidden" name="b" value="#${p.uuid}">&nbsp;<input type="submit" value="Apply"></form>` : ''}<p>\n`,
    );
  }
  out.push('</body></html>\n');
  return out.join('');
}
