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
#include <sys/socket.h>
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

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, send_datagram, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  napi_create_function(env, "sendNowait", NAPI_AUTO_LENGTH, send_nowait, NULL, &fn);
  napi_set_named_property(env, exports, "sendNowait", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
