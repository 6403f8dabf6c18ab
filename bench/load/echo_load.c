/*
 * echo_load: a line-echo load generator for `npm run bench`.
 *
 *   echo_load HOST PORT CONNECTIONS WARMUP_SECONDS DURATION_SECONDS MESSAGE_BYTES
 *
 * Drives CONNECTIONS non-blocking TCP connections from one epoll loop. Each connection sends one
 * line (MESSAGE_BYTES - 1 bytes and '\n'), waits until the same bytes have come back, and sends
 * the next: one round trip in flight per connection.
 *
 * Connections are opened one after another, each once the one before has had its first echo, so
 * that a server with a small listen backlog (Python's and sockserve's default is 5) does not leave
 * some of them stuck in SYN retransmits while the others are measured. Once all are open and
 * WARMUP_SECONDS have passed, it prints "measure-start" and counts for DURATION_SECONDS. Then each
 * connection waits for its last echo and closes (the server sees a clean EOF, not a reset), and
 * it prints one JSON line:
 *
 *   {"count":N,"seconds":S,"rate":R,"errors":E,"activeConnections":A,
 *    "latencyMs":{"p50":…,"p99":…,"max":…},"cpu":C}
 *
 * `count` is the round trips completed during the measurement, `activeConnections` how many
 * connections completed at least one of them, `cpu` this process's own CPU time during the
 * measurement divided by its duration (1.0 is one core busy), so a reader can check that the
 * generator was not the bottleneck. A connection that fails, closes or echoes wrong bytes counts
 * as an error and is dropped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How long opening all connections may take before the generator gives up. */
#define RAMP_LIMIT_SECONDS 60.0
/* How long the connections may take to finish their last line after the measurement. */
#define DRAIN_SECONDS 2.0
/* Latency histogram: one bucket per microsecond up to 100 ms, then one overflow bucket. */
#define HISTOGRAM_BUCKETS 100000

/* WARMUP: lines go back and forth uncounted; MEASURING: counted; DRAINING: no new lines. */
enum phase { WARMUP, MEASURING, DRAINING };

struct connection {
  int fd;
  int connected;
  int alive;
  int failed;
  int echoed;           /* has had its first echo */
  size_t sent;          /* bytes of the current line sent so far */
  size_t received;      /* bytes of the current echo received so far */
  double line_started;  /* when the current line was first sent, in seconds */
  uint64_t round_trips; /* completed during the measurement */
};

static const char *message;
static size_t message_bytes;
static struct sockaddr_in server_address;
static int epoll_fd;
static enum phase phase = WARMUP;

static struct connection *connections;
static int connection_count;
static int opened;           /* connections opened so far */
static int ramped;           /* of those, how many have had their first echo or failed */
static int open_connections; /* not yet closed */
static uint64_t errors;

static uint32_t histogram[HISTOGRAM_BUCKETS + 1];
static double latency_max;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec +
         (double)usage.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "echo_load: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void watch(struct connection *conn, uint32_t events, int op) {
  struct epoll_event event = {.events = events, .data = {.ptr = conn}};
  if (epoll_ctl(epoll_fd, op, conn->fd, &event) != 0) die("epoll_ctl");
}

static void open_next_connection(void) {
  if (opened == connection_count) return;
  struct connection *conn = &connections[opened++];
  conn->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (conn->fd < 0) die("socket");
  int one = 1;
  setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(conn->fd, (const struct sockaddr *)&server_address, sizeof server_address) != 0 &&
      errno != EINPROGRESS) {
    die("connect");
  }
  conn->alive = 1;
  open_connections++;
  watch(conn, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
}

/* This connection is open for good (first echo) or gone: open the next one. */
static void ramp_step(struct connection *conn) {
  if (conn->echoed) return;
  conn->echoed = 1;
  ramped++;
  open_next_connection();
}

static void close_connection(struct connection *conn) {
  conn->alive = 0;
  open_connections--;
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
  close(conn->fd);
}

/* A connection that failed: count it, close it. */
static void drop(struct connection *conn) {
  if (!conn->alive) return;
  conn->failed = 1;
  errors++;
  close_connection(conn);
  ramp_step(conn);
}

/* Send what is left of the current line; wait for EPOLLOUT if the socket cannot take it all. */
static void send_rest(struct connection *conn) {
  while (conn->sent < message_bytes) {
    ssize_t n = send(conn->fd, message + conn->sent, message_bytes - conn->sent, MSG_NOSIGNAL);
    if (n > 0) {
      conn->sent += (size_t)n;
    } else if (n < 0 && errno == EAGAIN) {
      watch(conn, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
      return;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      drop(conn);
      return;
    }
  }
}

static void start_line(struct connection *conn, double now) {
  conn->sent = 0;
  conn->received = 0;
  conn->line_started = now;
  send_rest(conn);
}

static void record_latency(double seconds) {
  if (seconds > latency_max) latency_max = seconds;
  long micros = (long)(seconds * 1e6);
  histogram[micros < HISTOGRAM_BUCKETS ? micros : HISTOGRAM_BUCKETS]++;
}

static double latency_percentile(uint64_t total, double fraction) {
  uint64_t wanted = (uint64_t)((double)total * fraction);
  uint64_t seen = 0;
  for (long i = 0; i <= HISTOGRAM_BUCKETS; i++) {
    seen += histogram[i];
    if (seen > wanted) return i == HISTOGRAM_BUCKETS ? latency_max : (double)i / 1e6;
  }
  return latency_max;
}

static void on_echo_complete(struct connection *conn, double now) {
  if (phase == MEASURING) {
    conn->round_trips++;
    record_latency(now - conn->line_started);
  }
  ramp_step(conn);
  if (phase == DRAINING) {
    close_connection(conn); /* nothing unread: the server sees a clean EOF */
  } else {
    start_line(conn, now);
  }
}

static void on_readable(struct connection *conn, double now) {
  char buffer[65536];
  for (;;) {
    ssize_t n = recv(conn->fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      drop(conn);
      return;
    }
    size_t got = (size_t)n;
    if (conn->received + got > message_bytes || memcmp(buffer, message + conn->received, got) != 0) {
      drop(conn);
      return;
    }
    conn->received += got;
    if (conn->received == message_bytes) {
      on_echo_complete(conn, now);
      return;
    }
  }
}

static void on_writable(struct connection *conn, double now) {
  watch(conn, EPOLLIN, EPOLL_CTL_MOD);
  if (conn->connected) {
    send_rest(conn);
    return;
  }
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    drop(conn);
    return;
  }
  conn->connected = 1;
  start_line(conn, now);
}

static double parse_number(const char *text, const char *name) {
  char *end;
  double value = strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0)) {
    fprintf(stderr, "echo_load: %s must be a number >= 0, got '%s'\n", name, text);
    exit(2);
  }
  return value;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: echo_load HOST PORT CONNECTIONS WARMUP_SECONDS DURATION_SECONDS MESSAGE_BYTES\n");
    return 2;
  }
  server_address.sin_family = AF_INET;
  server_address.sin_port = htons((uint16_t)parse_number(argv[2], "PORT"));
  if (inet_pton(AF_INET, argv[1], &server_address.sin_addr) != 1) {
    fprintf(stderr, "echo_load: HOST must be an IPv4 address, got '%s'\n", argv[1]);
    return 2;
  }
  connection_count = (int)parse_number(argv[3], "CONNECTIONS");
  double warmup = parse_number(argv[4], "WARMUP_SECONDS");
  double duration = parse_number(argv[5], "DURATION_SECONDS");
  message_bytes = (size_t)parse_number(argv[6], "MESSAGE_BYTES");
  if (connection_count < 1 || message_bytes < 1 || duration <= 0) {
    fprintf(stderr, "echo_load: CONNECTIONS, DURATION_SECONDS and MESSAGE_BYTES must be positive\n");
    return 2;
  }

  char *line = malloc(message_bytes);
  if (line == NULL) die("malloc");
  for (size_t i = 0; i + 1 < message_bytes; i++) line[i] = (char)('a' + i % 26);
  line[message_bytes - 1] = '\n';
  message = line;

  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) die("epoll_create1");
  connections = calloc((size_t)connection_count, sizeof *connections);
  if (connections == NULL) die("calloc");
  open_next_connection();

  struct epoll_event events[256];
  double started = now_seconds();
  double measure_start = 0;
  double measure_end = 0;
  double seconds = 0;
  double cpu_at_start = 0;
  double cpu = 0;
  for (;;) {
    double now = now_seconds();
    if (phase == WARMUP && ramped == connection_count && now >= started + warmup) {
      phase = MEASURING;
      measure_start = now;
      measure_end = now + duration;
      cpu_at_start = cpu_seconds();
      printf("measure-start\n");
      fflush(stdout);
    } else if (phase == WARMUP && now >= started + RAMP_LIMIT_SECONDS) {
      fprintf(stderr, "echo_load: only %d of %d connections open after %.0f s\n", ramped, connection_count,
              RAMP_LIMIT_SECONDS);
      return 1;
    } else if (phase == MEASURING && now >= measure_end) {
      phase = DRAINING;
      seconds = now - measure_start;
      cpu = (cpu_seconds() - cpu_at_start) / seconds;
    }
    if (phase == DRAINING && (open_connections == 0 || now >= measure_end + DRAIN_SECONDS)) break;

    int ready = epoll_wait(epoll_fd, events, 256, 10);
    if (ready < 0 && errno != EINTR) die("epoll_wait");
    now = now_seconds();
    for (int i = 0; i < ready; i++) {
      struct connection *conn = events[i].data.ptr;
      if (!conn->alive) continue;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        drop(conn);
        continue;
      }
      if (events[i].events & EPOLLOUT) on_writable(conn, now);
      if (conn->alive && (events[i].events & EPOLLIN)) on_readable(conn, now);
    }
  }

  uint64_t round_trips = 0;
  int active = 0;
  for (int i = 0; i < connection_count; i++) {
    round_trips += connections[i].round_trips;
    if (!connections[i].failed && connections[i].round_trips > 0) active++;
  }
  printf("{\"count\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"errors\":%llu,\"activeConnections\":%d,"
         "\"latencyMs\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"cpu\":%.3f}\n",
         (unsigned long long)round_trips, seconds, (double)round_trips / seconds, (unsigned long long)errors, active,
         latency_percentile(round_trips, 0.50) * 1e3, latency_percentile(round_trips, 0.99) * 1e3, latency_max * 1e3,
         cpu);
  return 0;
}
