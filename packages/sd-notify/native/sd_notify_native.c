/*
 * The one system call Node cannot make for systemd: a datagram to an AF_UNIX SOCK_DGRAM socket
 * (Node's dgram module only speaks UDP). send(path, payload) sends one datagram from a fresh
 * socket, so the kernel attaches this process's credentials (systemd's NotifyAccess=main checks
 * them). A path starting with '@' names an abstract socket, as sd_notify(3) specifies.
 * Everything else (what to send, when) is TypeScript.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = err == ENOENT ? "ENOENT" : err == ECONNREFUSED ? "ECONNREFUSED" : err == EACCES ? "EACCES" : "EIO";
  napi_throw_error(env, code, msg);
  return NULL;
}

/* send(path: string, payload: Buffer): void */
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "send(path, payload) expects two arguments");
    return NULL;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string");
    return NULL;
  }
  if (len == 0 || len >= sizeof addr.sun_path - 1) {
    napi_throw_range_error(env, NULL, "socket path is empty or too long");
    return NULL;
  }
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  void *data = NULL;
  size_t size = 0;
  if (napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok) {
    napi_throw_type_error(env, NULL, "payload must be a Buffer");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_UNIX, SOCK_DGRAM)", errno);
  socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  ssize_t n = sendto(fd, data, size, MSG_NOSIGNAL, (struct sockaddr *)&addr, alen);
  int err = errno;
  close(fd);
  if (n < 0) return throw_errno(env, "sendto", err);
  return NULL;
}

/*
 * sendNowait(path: string, payload: Buffer): number — the same datagram, but never blocking (the
 * balancer's log lines to /dev/log: a full syslog socket must lose the line, not stall the event
 * loop). Returns 0, or the errno (EAGAIN when the receiver's queue is full) instead of throwing.
 */
static napi_value send_nowait(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = 0;
  void *data = NULL;
  size_t size = 0;
  int err = EINVAL;
  if (argc >= 2 &&
      napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) == napi_ok &&
      len > 0 && len < sizeof addr.sun_path - 1 &&
      napi_get_buffer_info(env, argv[1], &data, &size) == napi_ok) {
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      err = errno;
    } else {
      socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
      ssize_t n = sendto(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&addr, alen);
      err = n < 0 ? errno : 0;
      close(fd);
    }
  }
  napi_create_int32(env, err, &ret);
  return ret;
}

/*
 * udpOpen(ip: string, port: number, family: 4 | 6): number — a connected, non-blocking UDP socket
 * (the balancer's syslog targets), or -errno. The fd belongs to the caller (fdClose).
 */
static napi_value udp_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char ip[64] = {0};
  size_t len = 0;
  int32_t port = 0, family = 4;
  int result = -EINVAL;
  if (argc >= 3 && napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &len) == napi_ok &&
      napi_get_value_int32(env, argv[1], &port) == napi_ok &&
      napi_get_value_int32(env, argv[2], &family) == napi_ok && port > 0 && port < 65536) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl = 0;
    int ok = 0;
    if (family == 6) {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
      a->sin6_family = AF_INET6;
      a->sin6_port = htons((uint16_t)port);
      ok = inet_pton(AF_INET6, ip, &a->sin6_addr) == 1;
      sl = sizeof *a;
    } else {
      struct sockaddr_in *a = (struct sockaddr_in *)&ss;
      a->sin_family = AF_INET;
      a->sin_port = htons((uint16_t)port);
      ok = inet_pton(AF_INET, ip, &a->sin_addr) == 1;
      sl = sizeof *a;
    }
    if (ok) {
      int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0) {
        result = -errno;
      } else if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        result = -errno;
        close(fd);
      } else {
        result = fd;
      }
    }
  }
  napi_create_int32(env, result, &ret);
  return ret;
}

#define BATCH 64

/*
 * sendBatch(fd: number, data: Buffer, lengths: Int32Array, count: number): number — `count`
 * datagrams cut from `data` by `lengths`, with sendmmsg(2), never blocking. Returns how many were
 * sent (the rest: the socket's buffer is full, or the peer refused), or -errno when none was.
 */
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_value ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1, count = 0;
  char *data = NULL;
  size_t size = 0;
  napi_typedarray_type type;
  size_t nlen = 0;
  void *lens = NULL;
  int result = -EINVAL;
  if (argc >= 4 && napi_get_value_int32(env, argv[0], &fd) == napi_ok &&
      napi_get_buffer_info(env, argv[1], (void **)&data, &size) == napi_ok &&
      napi_get_typedarray_info(env, argv[2], &type, &nlen, &lens, NULL, NULL) == napi_ok &&
      type == napi_int32_array && napi_get_value_int32(env, argv[3], &count) == napi_ok && count >= 0 &&
      (size_t)count <= nlen) {
    const int32_t *l = (const int32_t *)lens;
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    size_t off = 0;
    int sent = 0;
    result = 0;
    for (int i = 0; i < count;) {
      int n = 0;
      for (; n < BATCH && i + n < count; n++) {
        size_t len = (size_t)l[i + n];
        if (off + len > size) len = off < size ? size - off : 0;
        iov[n].iov_base = data + off;
        iov[n].iov_len = len;
        off += len;
        memset(&msgs[n], 0, sizeof msgs[n]);
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(fd, msgs, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (r < 0) {
        if (sent == 0) result = -errno;
        break;
      }
      sent += r;
      result = sent;
      if (r < n) break;
      i += n;
    }
  }
  napi_create_int32(env, result, &ret);
  return ret;
}

/* fdClose(fd: number): void */
static napi_value fd_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1 && napi_get_value_int32(env, argv[0], &fd) == napi_ok && fd > 2) close(fd);
  return NULL;
}

/* host_native.c */
napi_value host_chroot(napi_env env, napi_callback_info info);
napi_value host_resolve(napi_env env, napi_callback_info info);
/* xfer_native.c */
napi_value xfer_take(napi_env env, napi_callback_info info);
napi_value xfer_give(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } functions[] = {
    {"send", send_datagram},
    {"sendNowait", send_nowait},
    {"udpOpen", udp_open},
    {"sendBatch", send_batch},
    {"fdClose", fd_close},
    {"chroot", host_chroot},
    {"resolve", host_resolve},
    {"takeSockets", xfer_take},
    {"giveSockets", xfer_give},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
