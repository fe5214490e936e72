/*
 * LD_PRELOAD shim for pcscd in tests and benchmarks: never on a kiosk.
 *
 * 1. TCP_NODELAY on the sockets pcscd accepts. Debian 12's vpcd writes each frame to the virtual
 *    card as two send() calls (length, then payload); with Nagle's algorithm the second waits for
 *    the card's delayed ACK, adding ~44 ms to every APDU (PROTOCOLS.md §5). Setting TCP_NODELAY
 *    on the card's side of the connection is not enough: the wait is on pcscd's side.
 *
 * 2. A private control socket, so a test's pcscd never touches the system one: when
 *    MASHANG_PCSCD_SOCKET is set, the shim binds that path before pcscd's main() runs and hands
 *    it over as a systemd-style activated socket (fd 3, LISTEN_FDS=1, LISTEN_PID), which pcscd
 *    (built with libsystemd) uses instead of /run/pcscd/pcscd.comm. Clients reach it with
 *    PCSCLITE_CSOCK_NAME set to the same path.
 *
 * Built by the tests with: cc -shared -fPIC -O2 -o pcscd-shim.so pcscd-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* sd_listen_fds(3): passed sockets start at fd 3. */
#define SD_LISTEN_FDS_START 3

static void no_delay(int fd) {
  int domain = 0;
  socklen_t length = sizeof domain;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) return;
  if (domain != AF_INET && domain != AF_INET6) return;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int accept(int fd, struct sockaddr *address, socklen_t *length) {
  static int (*real_accept)(int, struct sockaddr *, socklen_t *);
  if (!real_accept) real_accept = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "accept");
  int accepted = real_accept(fd, address, length);
  int saved = errno;
  no_delay(accepted);
  errno = saved;
  return accepted;
}

int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
  static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
  if (!real_accept4) real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
  int accepted = real_accept4(fd, address, length, flags);
  int saved = errno;
  no_delay(accepted);
  errno = saved;
  return accepted;
}

__attribute__((constructor)) static void private_control_socket(void) {
  const char *path = getenv("MASHANG_PCSCD_SOCKET");
  /* Only in pcscd itself: a wrapper (timeout, strace) must not take the socket first. */
  if (!path || !*path || strcmp(program_invocation_short_name, "pcscd") != 0) return;
  struct sockaddr_un address;
  if (strlen(path) >= sizeof address.sun_path) {
    fprintf(stderr, "pcscd-shim: socket path too long: %s\n", path);
    _exit(70);
  }
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  strcpy(address.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  unlink(path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, SOMAXCONN) != 0) {
    perror("pcscd-shim: private socket");
    _exit(70);
  }
  chmod(path, 0666);
  if (fd != SD_LISTEN_FDS_START) {
    dup2(fd, SD_LISTEN_FDS_START);
    close(fd);
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)getpid());
  setenv("LISTEN_PID", pid, 1);
  setenv("LISTEN_FDS", "1", 1);
  unsetenv("MASHANG_PCSCD_SOCKET");
}
