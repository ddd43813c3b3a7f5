/*
 * Two more calls Node does not offer, for the balancer's start-up (HAProxy's main() makes both):
 * chroot(2) into a directory (global `chroot`), and a synchronous getaddrinfo(3) for the server
 * addresses read from the configuration (HAProxy resolves them while it loads it, before binding,
 * chrooting or serving; Node's dns.lookup is asynchronous, and a chrooted process has no resolver).
 * Registered by sd_notify_native.c's init.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <node_api.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int drop_capabilities(void) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  return (int)syscall(SYS_capset, &header, data);
}

/*
 * chroot(dir: string): number — 0, or the errno of chdir(dir) / chroot(".") / chdir("/") / capset.
 * A process that is not root and entered the directory by a capability (systemd's
 * AmbientCapabilities=CAP_SYS_CHROOT) gives up every capability right after: with CAP_SYS_CHROOT
 * still effective it could leave the directory again. (Root gives up its own with setuid, later.)
 */
napi_value host_chroot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret;
  char dir[4096];
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int result = EINVAL;
  if (argc >= 1 && napi_get_value_string_utf8(env, argv[0], dir, sizeof dir, &len) == napi_ok &&
      len > 0 && len < sizeof dir - 1) {
    if (chdir(dir) != 0 || chroot(".") != 0 || chdir("/") != 0) result = errno;
    else if (geteuid() != 0 && drop_capabilities() != 0) result = errno;
    else result = 0;
  }
  napi_create_int32(env, result, &ret);
  return ret;
}

/*
 * resolve(host: string, family: 0|4|6): string[] | number — the addresses getaddrinfo returns, in its
 * order (duplicates left out), or its EAI_* error code (negative) when it fails.
 */
napi_value host_resolve(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ret;
  char host[1025];
  size_t len = 0;
  int32_t family = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "resolve(host, family) expects a host name");
    return NULL;
  }
  if (argc >= 2) napi_get_value_int32(env, argv[1], &family);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM; /* as HAProxy's str2ip2: one entry per address */
  int rc = getaddrinfo(host, NULL, &hints, &res);
  if (rc != 0) {
    napi_create_int32(env, rc < 0 ? rc : -rc, &ret);
    return ret;
  }
  napi_create_array(env, &ret);
  uint32_t n = 0;
  char seen[16][INET6_ADDRSTRLEN];
  for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN];
    if (a->ai_family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)a->ai_addr)->sin_addr, text, sizeof text);
    else if (a->ai_family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, text, sizeof text);
    else
      continue;
    int dup = 0;
    for (uint32_t i = 0; i < n && i < 16; i++)
      if (strcmp(seen[i], text) == 0) dup = 1;
    if (dup) continue;
    if (n < 16) strcpy(seen[n], text);
    napi_value s;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, ret, n++, s);
  }
  freeaddrinfo(res);
  return ret;
}
