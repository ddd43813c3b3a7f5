/*
 * ha-agent's native addon: the few system calls Node cannot make.
 *  - raw IPv4/IPv6 sockets for IP protocol 112 (VRRP), watched by libuv (uv_poll_t) on Node's loop,
 *    with the receive ancillary data (destination, interface, TTL/hop limit) VRRP validation needs;
 *  - sendLinkFrame(): one Ethernet frame out of an AF_PACKET socket (gratuitous ARP, unsolicited NA);
 *  - watchSignal(): a libuv signal watcher for a signal Node's process.on() has no name for (keepalived's
 *    JSON dump signal is a real-time one, SIGRTMIN+2).
 * Everything else (parsing, checksums, policy) lives in TypeScript. N-API keeps the binary ABI-stable
 * across Node major versions (see ../README.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define IPPROTO_VRRP_NUM 112
#define RECV_BUF 4096

typedef struct vrrp_sock {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_ctx;
  int fd;
  int family;
  bool closing;
  bool in_callback;
} vrrp_sock;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = "EIO";
  switch (err) {
    case EPERM: code = "EPERM"; break;
    case EACCES: code = "EACCES"; break;
    case ENODEV: code = "ENODEV"; break;
    case ENXIO: code = "ENXIO"; break;
    case EINVAL: code = "EINVAL"; break;
    case EADDRNOTAVAIL: code = "EADDRNOTAVAIL"; break;
    case ENETUNREACH: code = "ENETUNREACH"; break;
    case ENETDOWN: code = "ENETDOWN"; break;
    case EHOSTUNREACH: code = "EHOSTUNREACH"; break;
    case ENOBUFS: code = "ENOBUFS"; break;
    case EMSGSIZE: code = "EMSGSIZE"; break;
    case EAGAIN: code = "EAGAIN"; break;
    default: break;
  }
  napi_throw_error(env, code, msg);
  return NULL;
}

#define NAPI_CALL(env, call)                                   \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      bool pending = false;                                    \
      napi_is_exception_pending((env), &pending);              \
      if (!pending) napi_throw_error((env), NULL, #call " failed"); \
      return NULL;                                             \
    }                                                          \
  } while (0)

static bool get_string(napi_env env, napi_value v, char *buf, size_t len) {
  size_t out = 0;
  return napi_get_value_string_utf8(env, v, buf, len, &out) == napi_ok;
}

static void on_closed(uv_handle_t *h) {
  vrrp_sock *s = (vrrp_sock *)h->data;
  free(s);
}

static void sock_close(vrrp_sock *s) {
  if (s->closing) return;
  s->closing = true;
  uv_poll_stop(&s->poll);
  close(s->fd);
  s->fd = -1;
  if (s->callback) {
    napi_delete_reference(s->env, s->callback);
    s->callback = NULL;
  }
  if (s->async_ctx) {
    napi_async_destroy(s->env, s->async_ctx);
    s->async_ctx = NULL;
  }
  uv_close((uv_handle_t *)&s->poll, on_closed);
}

/* One datagram → callback(buf, src, dst, ttl, ifindex). For IPv4 the buffer starts with the IP header
 * (raw socket semantics); for IPv6 it is the VRRP message only. ttl is -1 when no ancillary data came. */
static void deliver(vrrp_sock *s, const unsigned char *data, size_t len, const char *src, const char *dst,
                    int ttl, int ifindex) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[5], result;
  void *copy = NULL;
  if (napi_get_reference_value(env, s->callback, &cb) != napi_ok || cb == NULL) goto out;
  napi_get_global(env, &recv); /* make_callback needs an object receiver */
  napi_create_buffer_copy(env, len, data, &copy, &argv[0]);
  napi_create_string_utf8(env, src, NAPI_AUTO_LENGTH, &argv[1]);
  napi_create_string_utf8(env, dst, NAPI_AUTO_LENGTH, &argv[2]);
  napi_create_int32(env, ttl, &argv[3]);
  napi_create_int32(env, ifindex, &argv[4]);
  s->in_callback = true;
  /* make_callback drains microtasks and reports exceptions like any libuv-driven callback. */
  napi_status st = napi_make_callback(env, s->async_ctx, recv, cb, 5, argv, &result);
  s->in_callback = false;
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
out:
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  vrrp_sock *s = (vrrp_sock *)h->data;
  if (status < 0 || s->closing) return;
  /* Bounded drain: never starve the loop, libuv calls us again if more is queued. */
  for (int i = 0; i < 64 && !s->closing; i++) {
    unsigned char buf[RECV_BUF];
    unsigned char cbuf[256];
    struct sockaddr_storage from;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
    if (n < 0) return; /* EAGAIN or a transient error: wait for the next readiness */
    char src[INET6_ADDRSTRLEN] = "", dst[INET6_ADDRSTRLEN] = "";
    int ttl = -1, ifindex = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo pi;
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        ifindex = pi.ipi_ifindex;
        inet_ntop(AF_INET, &pi.ipi_addr, dst, sizeof dst);
      } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
        int v;
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ttl = v;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        struct in6_pktinfo pi;
        memcpy(&pi, CMSG_DATA(c), sizeof pi);
        ifindex = (int)pi.ipi6_ifindex;
        inet_ntop(AF_INET6, &pi.ipi6_addr, dst, sizeof dst);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        int v;
        memcpy(&v, CMSG_DATA(c), sizeof v);
        ttl = v;
      }
    }
    if (from.ss_family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, src, sizeof src);
    else if (from.ss_family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, src, sizeof src);
    deliver(s, buf, (size_t)n, src, dst, ttl, ifindex);
  }
}

static void finalize_sock(napi_env env, void *data, void *hint) {
  /* The JS wrapper is gone: make sure the fd does not outlive it. */
  vrrp_sock *s = (vrrp_sock *)data;
  if (!s->closing) sock_close(s);
}

/* open(family, ifname, multicast, callback) → external */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family;
  bool multicast;
  char ifname[IF_NAMESIZE + 1];
  NAPI_CALL(env, napi_get_value_int32(env, argv[0], &family));
  if (!get_string(env, argv[1], ifname, sizeof ifname)) return throw_errno(env, "ifname", EINVAL);
  NAPI_CALL(env, napi_get_value_bool(env, argv[2], &multicast));
  unsigned ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, ifname, errno);

  int af = family == 6 ? AF_INET6 : AF_INET;
  int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_VRRP_NUM);
  if (fd < 0) return throw_errno(env, "socket(IPPROTO_VRRP)", errno);
  int one = 1, zero = 0, ttl = 255;
  const char *what = NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) {
    what = "SO_BINDTODEVICE";
    goto fail;
  }
  if (af == AF_INET) {
    struct ip_mreqn mr = {.imr_ifindex = (int)ifindex};
    if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) { what = "IP_PKTINFO"; goto fail; }
    if (setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) < 0) { what = "IP_RECVTTL"; goto fail; }
    if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0) { what = "IP_TTL"; goto fail; }
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) { what = "IP_MULTICAST_TTL"; goto fail; }
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero) < 0) { what = "IP_MULTICAST_LOOP"; goto fail; }
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0) { what = "IP_MULTICAST_IF"; goto fail; }
    if (multicast) {
      inet_pton(AF_INET, "224.0.0.18", &mr.imr_multiaddr);
      if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) { what = "IP_ADD_MEMBERSHIP"; goto fail; }
    }
  } else {
    int idx = (int)ifindex;
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) < 0) { what = "IPV6_RECVPKTINFO"; goto fail; }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) < 0) { what = "IPV6_RECVHOPLIMIT"; goto fail; }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) < 0) { what = "IPV6_UNICAST_HOPS"; goto fail; }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) < 0) { what = "IPV6_MULTICAST_HOPS"; goto fail; }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero) < 0) { what = "IPV6_MULTICAST_LOOP"; goto fail; }
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx) < 0) { what = "IPV6_MULTICAST_IF"; goto fail; }
    if (multicast) {
      struct ipv6_mreq mr6 = {.ipv6mr_interface = ifindex};
      inet_pton(AF_INET6, "ff02::12", &mr6.ipv6mr_multiaddr);
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr6, sizeof mr6) < 0) { what = "IPV6_ADD_MEMBERSHIP"; goto fail; }
    }
  }

  vrrp_sock *s = calloc(1, sizeof *s);
  if (!s) { what = "calloc"; errno = ENOMEM; goto fail; }
  s->env = env;
  s->fd = fd;
  s->family = af;
  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, fd) != 0) { free(s); what = "uv_poll_init"; errno = EINVAL; goto fail; }
  s->poll.data = s;
  napi_value resource_name, resource;
  napi_create_string_utf8(env, "VrrpSocket", NAPI_AUTO_LENGTH, &resource_name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, resource_name, &s->async_ctx);
  napi_create_reference(env, argv[3], 1, &s->callback);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_value ext;
  NAPI_CALL(env, napi_create_external(env, s, finalize_sock, NULL, &ext));
  return ext;
fail: {
    int err = errno;
    close(fd);
    return throw_errno(env, what, err);
  }
}

static vrrp_sock *get_sock(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (vrrp_sock *)p;
}

/* send(handle, buf, dst, src|null, ifindex): source and interface ride in IP(V6)_PKTINFO so one socket
 * serves multicast and unicast peers and the kernel still builds the IP header. */
/* One control message (the packet-info of the source address/interface) into msg, backed by cbuf. */
static void put_cmsg(struct msghdr *msg, unsigned char *cbuf, int level, int type, const void *data, size_t len) {
  msg->msg_control = cbuf;
  msg->msg_controllen = CMSG_SPACE(len);
  struct cmsghdr *c = CMSG_FIRSTHDR(msg);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(len);
  memcpy(CMSG_DATA(c), data, len);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  vrrp_sock *s = get_sock(env, argv[0]);
  if (!s || s->closing) return throw_errno(env, "send on a closed socket", EBADF);
  void *data;
  size_t len;
  NAPI_CALL(env, napi_get_buffer_info(env, argv[1], &data, &len));
  char dst[INET6_ADDRSTRLEN + 1], src[INET6_ADDRSTRLEN + 1] = "";
  if (!get_string(env, argv[2], dst, sizeof dst)) return throw_errno(env, "dst", EINVAL);
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  if (t == napi_string && !get_string(env, argv[3], src, sizeof src)) return throw_errno(env, "src", EINVAL);
  int32_t ifindex = 0;
  napi_get_value_int32(env, argv[4], &ifindex);

  struct sockaddr_storage to;
  memset(&to, 0, sizeof to);
  socklen_t tolen;
  unsigned char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  struct msghdr msg = {.msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1};
  if (s->family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&to;
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, dst, &sin->sin_addr) != 1) return throw_errno(env, "dst address", EINVAL);
    tolen = sizeof *sin;
    if (src[0] || ifindex) {
      struct in_pktinfo pi = {.ipi_ifindex = ifindex};
      if (src[0] && inet_pton(AF_INET, src, &pi.ipi_spec_dst) != 1) return throw_errno(env, "src address", EINVAL);
      put_cmsg(&msg, cbuf, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    }
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
    sin6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, dst, &sin6->sin6_addr) != 1) return throw_errno(env, "dst address", EINVAL);
    sin6->sin6_scope_id = (uint32_t)ifindex;
    tolen = sizeof *sin6;
    struct in6_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.ipi6_ifindex = (unsigned)ifindex;
    if (src[0] && inet_pton(AF_INET6, src, &pi.ipi6_addr) != 1) return throw_errno(env, "src address", EINVAL);
    put_cmsg(&msg, cbuf, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);
  }
  msg.msg_namelen = tolen;
  if (sendmsg(s->fd, &msg, MSG_DONTWAIT) < 0) return throw_errno(env, "sendmsg", errno);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  vrrp_sock *s = get_sock(env, argv[0]);
  if (s && !s->closing) sock_close(s);
  return NULL;
}

/* sendLinkFrame(ifname, frame): the frame carries its own Ethernet header (SOCK_RAW). */
static napi_value js_send_link_frame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ifname[IF_NAMESIZE + 1];
  if (!get_string(env, argv[0], ifname, sizeof ifname)) return throw_errno(env, "ifname", EINVAL);
  void *data;
  size_t len;
  NAPI_CALL(env, napi_get_buffer_info(env, argv[1], &data, &len));
  if (len < 14) return throw_errno(env, "frame shorter than an Ethernet header", EINVAL);
  unsigned ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return throw_errno(env, ifname, errno);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = (int)ifindex;
  ll.sll_halen = ETH_ALEN;
  memcpy(ll.sll_addr, data, ETH_ALEN);
  ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&ll, sizeof ll);
  int err = errno;
  close(fd);
  if (n < 0) return throw_errno(env, "sendto(AF_PACKET)", err);
  return NULL;
}

static napi_value js_if_index(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ifname[IF_NAMESIZE + 1];
  if (!get_string(env, argv[0], ifname, sizeof ifname)) return throw_errno(env, "ifname", EINVAL);
  napi_create_uint32(env, if_nametoindex(ifname), &out);
  return out;
}

typedef struct sig_watch {
  uv_signal_t sig;
  napi_env env;
  napi_ref callback;
  napi_async_context async_ctx;
  bool closing;
} sig_watch;

static void on_signal(uv_signal_t *h, int signum) {
  sig_watch *w = (sig_watch *)h->data;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (w->closing || napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL) {
    napi_get_global(env, &recv);
    napi_create_int32(env, signum, &arg);
    if (napi_make_callback(env, w->async_ctx, recv, cb, 1, &arg, &result) == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_sig_closed(uv_handle_t *h) { free(h->data); }

/* watchSignal(signum, callback) → handle. The watcher does not keep the process alive (uv_unref). */
static napi_value js_watch_signal(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ext, resource, resource_name;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t signum;
  NAPI_CALL(env, napi_get_value_int32(env, argv[0], &signum));
  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
  sig_watch *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, "calloc", ENOMEM);
  w->env = env;
  w->sig.data = w;
  int rc = uv_signal_init(loop, &w->sig);
  if (rc != 0) {
    free(w);
    return throw_errno(env, "uv_signal_init", -rc);
  }
  rc = uv_signal_start(&w->sig, on_signal, signum);
  if (rc != 0) {
    uv_close((uv_handle_t *)&w->sig, on_sig_closed); /* frees w */
    return throw_errno(env, "uv_signal_start", -rc);
  }
  uv_unref((uv_handle_t *)&w->sig);
  napi_create_string_utf8(env, "SignalWatch", NAPI_AUTO_LENGTH, &resource_name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, resource_name, &w->async_ctx);
  napi_create_reference(env, argv[1], 1, &w->callback);
  NAPI_CALL(env, napi_create_external(env, w, NULL, NULL, &ext));
  return ext;
}

static napi_value js_unwatch_signal(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *p = NULL;
  if (napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) return throw_errno(env, "handle", EINVAL);
  sig_watch *w = (sig_watch *)p;
  if (w->closing) return NULL;
  w->closing = true;
  uv_signal_stop(&w->sig);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->async_ctx);
  uv_close((uv_handle_t *)&w->sig, on_sig_closed);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"sendLinkFrame", NULL, js_send_link_frame, NULL, NULL, NULL, napi_default, NULL},
      {"ifIndex", NULL, js_if_index, NULL, NULL, NULL, napi_default, NULL},
      {"watchSignal", NULL, js_watch_signal, NULL, NULL, NULL, napi_default, NULL},
      {"unwatchSignal", NULL, js_unwatch_signal, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
