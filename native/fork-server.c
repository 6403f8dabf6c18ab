/*
 * The CGI fork server, compiled: the same program and protocol as the Python one in
 * lib/http/cgi/fork-server-program.ts (read that first), for a few tenths of a millisecond less
 * per script. `npm install` builds it into build/fork-server when a C compiler is there
 * (scripts/build-fork-server.mjs); without it the server runs the Python one.
 *
 * Run as `fork-server <rendezvous> [uid gid]`. Reads JSON lines (as JSON.stringify() writes them)
 * on stdin, writes frames on stdout, all that one turn of its loop has to say in one write. A
 * change to the protocol is made in both programs; spec/cgi/fork-server.spec.ts runs its cases
 * against each and checks that they answer alike.
 * POSIX (poll, posix_spawn with POSIX_SPAWN_SETSID) and C99; nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* OUTPUT_WINDOW of fork-server-program.ts: output relayed for a script before a "more". */
#define WINDOW (256 * 1024)
#define READ_CHUNK 65536
#define TOKEN_BYTES 16
#define DEFAULT_PATH "/bin:/usr/bin"

enum { READY = 'R', STARTED = 'P', FAILED = 'F', OUTPUT = 'O', STDERR = 'E', EXIT = 'X' };

/* ---- growable byte buffers: the frames of one turn, the request lines not yet whole ---- */

struct bytes {
  unsigned char *data;
  size_t length, capacity;
};

static void reserve(struct bytes *b, size_t more) {
  if (b->length + more <= b->capacity) return;
  size_t capacity = b->capacity ? b->capacity : 65536;
  while (capacity < b->length + more) capacity *= 2;
  b->data = realloc(b->data, capacity);
  if (b->data == NULL) {
    perror("fork server");
    exit(1);
  }
  b->capacity = capacity;
}

static void append(struct bytes *b, const void *data, size_t length) {
  reserve(b, length);
  memcpy(b->data + b->length, data, length);
  b->length += length;
}

static struct bytes frames;

static void put_u32(unsigned char *at, uint32_t value) {
  at[0] = value >> 24;
  at[1] = value >> 16;
  at[2] = value >> 8;
  at[3] = value;
}

static void send_frame(int kind, uint32_t id, const void *payload, size_t length) {
  unsigned char head[9];
  head[0] = (unsigned char)kind;
  put_u32(head + 1, id);
  put_u32(head + 5, (uint32_t)length);
  append(&frames, head, sizeof head);
  if (length > 0) append(&frames, payload, length);
}

static void flush_frames(void) {
  size_t offset = 0;
  while (offset < frames.length) {
    ssize_t written = write(1, frames.data + offset, frames.length - offset);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) exit(0); /* the server has gone */
    offset += (size_t)written;
  }
  frames.length = 0;
}

/* ---- errno names, as Python's errno.errorcode gives them (EINVAL for any other) ---- */

static const char *errno_name(int code) {
  switch (code) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOEXEC: return "ENOEXEC";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case E2BIG: return "E2BIG";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EAGAIN: return "EAGAIN";
    case ETXTBSY: return "ETXTBSY";
    case EIO: return "EIO";
    case ECONNREFUSED: return "ECONNREFUSED";
    default: return "EINVAL";
  }
}

static void send_failure(uint32_t id, int code, const char *message) {
  char payload[512];
  int length = snprintf(payload, sizeof payload, "{\"error\": \"%s\", \"message\": \"%s\"}", errno_name(code), message);
  send_frame(FAILED, id, payload, (size_t)length);
}

/* ---- the JSON of a request line: objects, strings, arrays of strings, numbers, booleans ---- */

struct json {
  const char *at, *end;
  /* A string held a NUL or a lone surrogate: valid JSON, but no argument or variable can hold it. */
  int unusable;
};

static void skip_space(struct json *j) {
  while (j->at < j->end && (*j->at == ' ' || *j->at == '\t' || *j->at == '\r' || *j->at == '\n')) j->at++;
}

static void expect(struct json *j, char c) {
  skip_space(j);
  if (j->at >= j->end || *j->at != c) {
    fprintf(stderr, "fork server: bad request line (expected '%c')\n", c);
    exit(1);
  }
  j->at++;
}

static int peek(struct json *j) {
  skip_space(j);
  return j->at < j->end ? *j->at : -1;
}

static unsigned hex_digits(struct json *j, int count) {
  unsigned value = 0;
  for (int i = 0; i < count; i++) {
    if (j->at >= j->end) expect(j, '0');
    char c = *j->at++;
    value <<= 4;
    if (c >= '0' && c <= '9') value |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') value |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= (unsigned)(c - 'A' + 10);
    else expect(j, '0');
  }
  return value;
}

static void put_utf8(struct bytes *out, unsigned code) {
  unsigned char b[4];
  size_t n;
  if (code < 0x80) b[0] = code, n = 1;
  else if (code < 0x800) b[0] = 0xc0 | code >> 6, b[1] = 0x80 | (code & 0x3f), n = 2;
  else if (code < 0x10000) b[0] = 0xe0 | code >> 12, b[1] = 0x80 | (code >> 6 & 0x3f), b[2] = 0x80 | (code & 0x3f), n = 3;
  else b[0] = 0xf0 | code >> 18, b[1] = 0x80 | (code >> 12 & 0x3f), b[2] = 0x80 | (code >> 6 & 0x3f), b[3] = 0x80 | (code & 0x3f), n = 4;
  append(out, b, n);
}

/* The next string, UTF-8 and NUL-terminated, in memory the caller frees. */
static char *parse_string(struct json *j) {
  struct bytes out = {0};
  expect(j, '"');
  for (;;) {
    if (j->at >= j->end) expect(j, '"');
    char c = *j->at++;
    if (c == '"') break;
    if (c != '\\') {
      append(&out, &c, 1);
      continue;
    }
    if (j->at >= j->end) expect(j, '"');
    char escape = *j->at++;
    const char *simple = strchr("\"\\/bfnrt", escape);
    if (escape != 'u' && simple != NULL && escape != '\0') {
      static const char decoded[] = "\"\\/\b\f\n\r\t";
      append(&out, &decoded[simple - "\"\\/bfnrt"], 1);
      continue;
    }
    if (escape != 'u') expect(j, 'u');
    unsigned code = hex_digits(j, 4);
    if (code >= 0xd800 && code < 0xdc00 && j->end - j->at >= 6 && j->at[0] == '\\' && j->at[1] == 'u') {
      const char *mark = j->at;
      j->at += 2;
      unsigned low = hex_digits(j, 4);
      if (low >= 0xdc00 && low < 0xe000) code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      else j->at = mark;
    }
    if (code == 0 || (code >= 0xd800 && code < 0xe000)) j->unusable = 1;
    put_utf8(&out, code);
  }
  append(&out, "", 1);
  return (char *)out.data;
}

static long parse_number(struct json *j) {
  skip_space(j);
  char *end;
  long value = strtol(j->at, &end, 10);
  if (end == j->at) expect(j, '0');
  j->at = end;
  return value;
}

static int parse_bool(struct json *j) {
  skip_space(j);
  if (j->end - j->at >= 4 && memcmp(j->at, "true", 4) == 0) return j->at += 4, 1;
  if (j->end - j->at >= 5 && memcmp(j->at, "false", 5) == 0) return j->at += 5, 0;
  expect(j, 't');
  return 0;
}

/* A NULL-terminated vector of strings the caller frees with free_vector(). */
struct vector {
  char **items;
  size_t count;
};

static void push_item(struct vector *v, char *item) {
  v->items = realloc(v->items, (v->count + 2) * sizeof *v->items);
  if (v->items == NULL) exit(1);
  v->items[v->count++] = item;
  v->items[v->count] = NULL;
}

static void free_vector(struct vector *v) {
  for (size_t i = 0; i < v->count; i++) free(v->items[i]);
  free(v->items);
}

static void parse_string_array(struct json *j, struct vector *v) {
  expect(j, '[');
  if (peek(j) == ']') {
    j->at++;
    return;
  }
  do push_item(v, parse_string(j));
  while (peek(j) == ',' && j->at++);
  expect(j, ']');
}

/* {"name": "value", ...} as "name=value" strings; a name holding '=' makes the request unusable. */
static void parse_environment(struct json *j, struct vector *v) {
  expect(j, '{');
  if (peek(j) == '}') {
    j->at++;
    return;
  }
  do {
    char *name = parse_string(j);
    expect(j, ':');
    char *value = parse_string(j);
    if (name[0] == '\0' || strchr(name, '=') != NULL) j->unusable = 1;
    size_t length = strlen(name) + strlen(value) + 2;
    char *entry = malloc(length);
    if (entry == NULL) exit(1);
    snprintf(entry, length, "%s=%s", name, value);
    free(name);
    free(value);
    push_item(v, entry);
  } while (peek(j) == ',' && j->at++);
  expect(j, '}');
}

struct request {
  long id, more, close;
  char *token, *file, *cwd;
  struct vector argv, env;
  int stdin_wanted, unusable;
};

static void parse_request(const char *line, size_t length, struct request *r) {
  struct json j = {line, line + length, 0};
  memset(r, 0, sizeof *r);
  r->id = r->more = r->close = -1;
  expect(&j, '{');
  do {
    char *key = parse_string(&j);
    expect(&j, ':');
    if (strcmp(key, "id") == 0) r->id = parse_number(&j);
    else if (strcmp(key, "more") == 0) r->more = parse_number(&j);
    else if (strcmp(key, "close") == 0) r->close = parse_number(&j);
    else if (strcmp(key, "token") == 0) r->token = parse_string(&j);
    else if (strcmp(key, "file") == 0) r->file = parse_string(&j);
    else if (strcmp(key, "cwd") == 0) r->cwd = parse_string(&j);
    else if (strcmp(key, "argv") == 0) parse_string_array(&j, &r->argv);
    else if (strcmp(key, "env") == 0) parse_environment(&j, &r->env);
    else if (strcmp(key, "stdin") == 0) r->stdin_wanted = parse_bool(&j);
    else expect(&j, '}');
    free(key);
  } while (peek(&j) == ',' && j.at++);
  expect(&j, '}');
  r->unusable = j.unusable;
}

static void free_request(struct request *r) {
  free(r->token);
  free(r->file);
  free(r->cwd);
  free_vector(&r->argv);
  free_vector(&r->env);
}

/* ---- scripts ---- */

struct script {
  uint32_t id;
  pid_t pid;
  int stdout_fd, stderr_fd; /* -1 once closed */
  size_t window;
  int reaped;
  struct script *next;
};

static struct script *scripts;

static struct script *script_by_id(long id) {
  for (struct script *s = scripts; s != NULL; s = s->next)
    if ((long)s->id == id && s->stdout_fd >= 0) return s;
  return NULL;
}

/* Forget a script that has been reaped and whose pipes are both closed. */
static void forget_finished(void) {
  for (struct script **link = &scripts; *link != NULL;) {
    struct script *s = *link;
    if (s->reaped && s->stdout_fd < 0 && s->stderr_fd < 0) {
      *link = s->next;
      free(s);
    } else {
      link = &s->next;
    }
  }
}

static int set_flag(int fd, int get, int set, int flag) {
  int flags = fcntl(fd, get);
  return flags < 0 ? -1 : fcntl(fd, set, flags | flag);
}

static int cloexec_pipe(int fds[2]) {
  if (pipe(fds) < 0) return -1;
  set_flag(fds[0], F_GETFD, F_SETFD, FD_CLOEXEC);
  set_flag(fds[1], F_GETFD, F_SETFD, FD_CLOEXEC);
  return 0;
}

/* A connection to the rendezvous socket that has sent the token and the byte 0; -1 with errno set. */
static int connect_stdin(const char *rendezvous, const char *token_hex) {
  unsigned char head[TOKEN_BYTES + 1] = {0};
  if (strlen(token_hex) != 2 * TOKEN_BYTES) return errno = EINVAL, -1;
  for (int i = 0; i < TOKEN_BYTES; i++) {
    unsigned value;
    if (sscanf(token_hex + 2 * i, "%2x", &value) != 1) return errno = EINVAL, -1;
    head[i] = (unsigned char)value;
  }
  struct sockaddr_un address = {0};
  address.sun_family = AF_UNIX;
  if (strlen(rendezvous) >= sizeof address.sun_path) return errno = ENAMETOOLONG, -1;
  strcpy(address.sun_path, rendezvous);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  set_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    int error = errno;
    close(fd);
    return errno = error, -1;
  }
  for (size_t sent = 0; sent < sizeof head;) {
    ssize_t n = write(fd, head + sent, sizeof head - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      close(fd);
      return errno = error, -1;
    }
    sent += (size_t)n;
  }
  return fd;
}

/* `file` when it holds a '/', else the first executable regular file of that name on `path`. */
static char *find_program(const char *file, const char *path, char *found, size_t size) {
  if (strchr(file, '/') != NULL) return (char *)file;
  for (const char *dir = path;; dir = strchr(dir, ':') + 1) {
    size_t length = strcspn(dir, ":");
    snprintf(found, size, "%.*s/%s", length == 0 ? 1 : (int)length, length == 0 ? "." : dir, file);
    struct stat stats;
    if (stat(found, &stats) == 0 && S_ISREG(stats.st_mode) && access(found, X_OK) == 0) return found;
    if (dir[length] == '\0') break;
  }
  errno = ENOENT;
  return NULL;
}

static const char *path_of(struct vector *env) {
  for (size_t i = 0; i < env->count; i++)
    if (strncmp(env->items[i], "PATH=", 5) == 0) return env->items[i] + 5;
  return DEFAULT_PATH;
}

/* Start the script of `r` with its stdout and stderr on `out` and `err`: 0 and its pid, or an errno. */
static int spawn_script(const char *rendezvous, struct request *r, int out, int err, pid_t *pid) {
  if (r->unusable || r->file == NULL || r->cwd == NULL || r->argv.count == 0) return EINVAL;
  char found[4096];
  const char *program = find_program(r->file, path_of(&r->env), found, sizeof found);
  if (program == NULL) return errno;
  if (chdir(r->cwd) < 0) return errno;
  int connection = -1;
  if (r->stdin_wanted) {
    connection = connect_stdin(rendezvous, r->token == NULL ? "" : r->token);
    if (connection < 0) return errno;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  if (connection >= 0) posix_spawn_file_actions_adddup2(&actions, connection, 0);
  else posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  sigset_t defaults, mask;
  sigemptyset(&defaults);
  int reset[] = {SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP, SIGCHLD};
  for (size_t i = 0; i < sizeof reset / sizeof *reset; i++) sigaddset(&defaults, reset[i]);
  sigemptyset(&mask);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &mask);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  int error = posix_spawn(pid, program, &actions, &attributes, r->argv.items, r->env.items);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (connection >= 0) close(connection);
  return error;
}

static void start(const char *rendezvous, struct request *r) {
  uint32_t id = (uint32_t)r->id;
  int out[2], err[2];
  if (cloexec_pipe(out) < 0) {
    send_failure(id, errno, strerror(errno));
    return;
  }
  if (cloexec_pipe(err) < 0) {
    int error = errno;
    close(out[0]);
    close(out[1]);
    send_failure(id, error, strerror(error));
    return;
  }
  pid_t pid = 0;
  int error = spawn_script(rendezvous, r, out[1], err[1], &pid);
  close(out[1]);
  close(err[1]);
  if (error != 0) {
    close(out[0]);
    close(err[0]);
    send_failure(id, error, r->unusable ? "embedded null byte or unpaired surrogate" : strerror(error));
    return;
  }
  set_flag(out[0], F_GETFL, F_SETFL, O_NONBLOCK);
  set_flag(err[0], F_GETFL, F_SETFL, O_NONBLOCK);
  struct script *s = calloc(1, sizeof *s);
  if (s == NULL) exit(1);
  *s = (struct script){id, pid, out[0], err[0], WINDOW, 0, scripts};
  scripts = s;
  unsigned char payload[4];
  put_u32(payload, (uint32_t)pid);
  send_frame(STARTED, id, payload, sizeof payload);
}

static void close_stdout(struct script *s) {
  close(s->stdout_fd);
  s->stdout_fd = -1;
}

/* Pass on what the script's stdout holds, up to its window; stop at its end. */
static void relay_stdout(struct script *s) {
  static char buffer[READ_CHUNK];
  while (s->stdout_fd >= 0 && s->window > 0) {
    ssize_t n = read(s->stdout_fd, buffer, s->window < sizeof buffer ? s->window : sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    send_frame(OUTPUT, s->id, buffer, (size_t)n);
    if (n == 0) {
      close_stdout(s);
      return;
    }
    s->window -= (size_t)n;
  }
}

/* Pass on what stderr holds; stop at its end. */
static void relay_stderr(struct script *s) {
  static char buffer[READ_CHUNK];
  while (s->stderr_fd >= 0) {
    ssize_t n = read(s->stderr_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if (n > 0) {
      send_frame(STDERR, s->id, buffer, (size_t)n);
    } else {
      close(s->stderr_fd);
      s->stderr_fd = -1;
    }
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct script *s = scripts; s != NULL; s = s->next) {
      if (s->pid != pid || s->reaped) continue;
      /* What the script wrote before it ended goes out before its end. */
      relay_stdout(s);
      relay_stderr(s);
      int code = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
      unsigned char payload[4];
      put_u32(payload, (uint32_t)code);
      send_frame(EXIT, s->id, payload, sizeof payload);
      s->reaped = 1;
      break;
    }
  }
}

static struct bytes lines;

/* Take what stdin holds; 0 once it has ended. */
static int read_requests(const char *rendezvous) {
  reserve(&lines, READ_CHUNK);
  ssize_t n = read(0, lines.data + lines.length, READ_CHUNK);
  if (n < 0 && errno == EINTR) return 1;
  if (n <= 0) return 0;
  lines.length += (size_t)n;
  size_t taken = 0;
  for (unsigned char *newline; (newline = memchr(lines.data + taken, '\n', lines.length - taken)) != NULL;) {
    size_t length = (size_t)(newline - (lines.data + taken));
    struct request r;
    parse_request((const char *)lines.data + taken, length, &r);
    taken += length + 1;
    struct script *s;
    if (r.id >= 0) start(rendezvous, &r);
    else if ((s = script_by_id(r.close)) != NULL) close_stdout(s);
    else if ((s = script_by_id(r.more)) != NULL) s->window = WINDOW;
    free_request(&r);
  }
  memmove(lines.data, lines.data + taken, lines.length - taken);
  lines.length -= taken;
  return 1;
}

static int wake_pipe[2];

static void on_child(int signal_number) {
  (void)signal_number;
  int saved = errno;
  (void)!write(wake_pipe[1], "", 1);
  errno = saved;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: fork-server RENDEZVOUS [UID GID]\n");
    return 2;
  }
  if (argc == 4 && (setgroups(0, NULL) < 0 || setgid((gid_t)atol(argv[3])) < 0 || setuid((uid_t)atol(argv[2])) < 0)) {
    perror("fork server");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  if (cloexec_pipe(wake_pipe) < 0) return 1;
  set_flag(wake_pipe[0], F_GETFL, F_SETFL, O_NONBLOCK);
  set_flag(wake_pipe[1], F_GETFL, F_SETFL, O_NONBLOCK);
  struct sigaction action = {0};
  action.sa_handler = on_child;
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &action, NULL);

  send_frame(READY, 0, NULL, 0);
  flush_frames();
  struct pollfd *polled = NULL;
  struct script **owners = NULL;
  size_t room = 0;
  for (;;) {
    size_t count = 2, wanted = 2;
    for (struct script *s = scripts; s != NULL; s = s->next) wanted += 2;
    if (wanted > room) {
      room = wanted * 2;
      polled = realloc(polled, room * sizeof *polled);
      owners = realloc(owners, room * sizeof *owners);
      if (polled == NULL || owners == NULL) exit(1);
    }
    polled[0] = (struct pollfd){0, POLLIN, 0};
    polled[1] = (struct pollfd){wake_pipe[0], POLLIN, 0};
    for (struct script *s = scripts; s != NULL; s = s->next) {
      if (s->stdout_fd >= 0 && s->window > 0) {
        owners[count] = s;
        polled[count++] = (struct pollfd){s->stdout_fd, POLLIN, 0};
      }
      if (s->stderr_fd >= 0) {
        owners[count] = s;
        polled[count++] = (struct pollfd){s->stderr_fd, POLLIN, 0};
      }
    }
    if (poll(polled, (nfds_t)count, -1) < 0) {
      if (errno == EINTR) continue;
      perror("fork server");
      return 1;
    }
    for (size_t i = 2; i < count; i++) {
      if (polled[i].revents == 0) continue;
      struct script *s = owners[i];
      if (polled[i].fd == s->stdout_fd) relay_stdout(s);
      else if (polled[i].fd == s->stderr_fd) relay_stderr(s);
    }
    if (polled[1].revents != 0) {
      char drained[64];
      while (read(wake_pipe[0], drained, sizeof drained) > 0) continue;
      reap();
    }
    if (polled[0].revents != 0 && !read_requests(argv[1])) break;
    forget_finished();
    flush_frames();
  }
  /* stdin ended: the server is going; so is every script still running. */
  for (struct script *s = scripts; s != NULL; s = s->next)
    if (!s->reaped) kill(-s->pid, SIGKILL);
  return 0;
}
