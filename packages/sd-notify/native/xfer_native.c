/*
 * HAProxy's listening-socket transfer (`-x SOCKET` and `stats socket … expose-fd listeners`), both
 * sides, with HAProxy 2.6's wire format (cli.c _getsocks, sock.c sock_get_old_sockets) so that either
 * end can be the real haproxy:
 *   the new process connects to the old one's stats socket and sends "_getsocks\n";
 *   the old one sends an int (host order): how many fds follow;
 *   then batches of at most MAX_SEND_FD fds, each a sendmsg with SCM_RIGHTS and, per fd, <ns len u8>
 *   <ns> <iface len u8> <iface> <4 zero bytes>; after each full batch it waits for a 4-byte ack.
 * Blocking calls, one second of receive timeout, as HAProxy: this runs at start-up or for one CLI line.
 * Registered by sd_notify_native.c's init.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_SEND_FD 253
#define INFO_MAX (1 + 255 + 1 + 255 + 4)

static napi_value int_result(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

/* takeSockets(path: string): number[] | number — the fds received, or -errno (-EPROTO: bad reply) */
napi_value xfer_take(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len == 0)
    return int_result(env, -EINVAL);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return int_result(env, -errno);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path, len);
  struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int err = 0;
  int total = 0;
  int got = 0;
  int *fds = NULL;
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
    err = -errno;
    goto out;
  }
  if (send(s, "_getsocks\n", 10, MSG_NOSIGNAL) != 10) {
    err = -errno;
    goto out;
  }
  ssize_t r = recv(s, &total, sizeof total, MSG_WAITALL);
  if (r != sizeof total || total < 0 || total > 65536) {
    err = r < 0 ? -errno : -EPROTO;
    goto out;
  }
  fds = calloc((size_t)total + 1, sizeof(int));
  char *data = malloc(MAX_SEND_FD * INFO_MAX);
  char *cbuf = malloc(CMSG_SPACE(sizeof(int) * MAX_SEND_FD));
  if (fds == NULL || data == NULL || cbuf == NULL) {
    free(data);
    free(cbuf);
    err = -ENOMEM;
    goto out;
  }
  while (got < total) {
    struct iovec iov = {.iov_base = data, .iov_len = MAX_SEND_FD * INFO_MAX};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * MAX_SEND_FD);
    ssize_t n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
    if (n <= 0) {
      err = n < 0 ? -errno : -EPROTO;
      break;
    }
    int batch = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < k; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (got < total) fds[got++] = fd;
        else close(fd);
        batch++;
      }
    }
    if (batch == 0) {
      err = -EPROTO;
      break;
    }
    /* the sender waits for an ack after each full batch */
    if (got < total && send(s, &got, sizeof got, MSG_NOSIGNAL) != sizeof got) {
      err = -errno;
      break;
    }
  }
  free(data);
  free(cbuf);
out:
  close(s);
  if (err != 0) {
    for (int i = 0; i < got; i++) close(fds[i]);
    free(fds);
    return int_result(env, err);
  }
  napi_value arr;
  napi_create_array_with_length(env, (size_t)got, &arr);
  for (int i = 0; i < got; i++) napi_set_element(env, arr, (uint32_t)i, int_result(env, fds[i]));
  free(fds);
  return arr;
}

/* giveSockets(conn: number, fds: number[]): number — 0, or -errno; `conn` is the CLI connection's fd */
napi_value xfer_give(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t conn = -1;
  uint32_t count = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &conn) != napi_ok || conn < 0 ||
      napi_get_array_length(env, argv[1], &count) != napi_ok)
    return int_result(env, -EINVAL);
  int total = (int)count;
  if (total == 0) return int_result(env, 0); /* HAProxy sends nothing then */
  int old = fcntl(conn, F_GETFL);
  if (old < 0 || fcntl(conn, F_SETFL, old & ~O_NONBLOCK) != 0) return int_result(env, -errno);
  struct timeval tv = {.tv_sec = 1, .tv_usec = 0}, oldtv;
  socklen_t tvlen = sizeof oldtv;
  getsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &oldtv, &tvlen);
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int err = 0;
  if (send(conn, &total, sizeof total, MSG_NOSIGNAL) != sizeof total) {
    err = -errno;
    goto out;
  }
  /* the control buffer aligned for struct cmsghdr */
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_SEND_FD)];
    struct cmsghdr align;
  } control;
  char *cbuf = control.buf;
  char data[MAX_SEND_FD * 6];
  for (int start = 0; start < total; start += MAX_SEND_FD) {
    int k = total - start < MAX_SEND_FD ? total - start : MAX_SEND_FD;
    memset(cbuf, 0, sizeof control.buf);
    memset(data, 0, sizeof data); /* no namespace, no interface, 4 zero bytes: 6 bytes per fd */
    struct iovec iov = {.iov_base = data, .iov_len = (size_t)k * 6};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)k);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)k);
    for (int i = 0; i < k; i++) {
      napi_value v;
      int32_t fd = -1;
      napi_get_element(env, argv[1], (uint32_t)(start + i), &v);
      napi_get_value_int32(env, v, &fd);
      memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof fd);
    }
    if (sendmsg(conn, &m, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
      err = -errno;
      goto out;
    }
    if (k == MAX_SEND_FD && start + k < total) {
      int ack;
      ssize_t r;
      do r = recv(conn, &ack, sizeof ack, 0);
      while (r < 0 && errno == EINTR);
      if (r <= 0) {
        err = r < 0 ? -errno : -EPROTO;
        goto out;
      }
    }
  }
out:
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &oldtv, sizeof oldtv);
  fcntl(conn, F_SETFL, old);
  return int_result(env, err);
}
