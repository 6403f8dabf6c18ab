/**
 * The fork server's program, run as `python3 -I -S -c FORK_SERVER_PROGRAM <rendezvous> [uid gid]`:
 * a small process that starts CGI scripts for this one, so this one never forks itself
 * (fork-server.ts says why and speaks its protocol). It needs Python 3.9 or later. Given
 * `uid gid`, it first becomes that user (no supplementary groups), and so do the scripts it
 * starts. Its first line out is `{"ready": true}`.
 *
 * Protocol, one JSON object per line. It reads from stdin
 * `{"id", "token", "file", "argv", "cwd", "env", "stdin"}` and, for each, connects to the Unix
 * socket `<rendezvous>` for the script's stdout (and its stdin when `stdin`; else /dev/null),
 * writes `token` (16 bytes) and the descriptor's number (one byte) on each connection, starts the
 * script with those connections as its descriptors and a pipe of its own as stderr (posix_spawn:
 * no shell, a session of its own, default signal handling, no other descriptor), and answers on
 * stdout `{"id", "pid"}` or `{"id", "error", "message"}`. What the script writes to stderr follows
 * as `{"id", "stderr"}` (text, UTF-8 decoded); when it has ended and been reaped,
 * `{"id", "exit"}` (os.waitstatus_to_exitcode(): the status, or minus the signal). When stdin
 * ends it kills what is still running and exits.
 */
export const FORK_SERVER_PROGRAM = String.raw`
import codecs, errno, json, os, selectors, signal, socket, sys

RESET_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)


def reply(message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def find_program(file, path):
    if "/" in file:
        return file
    for directory in path.split(":"):
        candidate = os.path.join(directory or ".", file)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(errno.ENOENT, "No such file or directory", file)


def connect(rendezvous, token, fd):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(rendezvous)
        connection.sendall(token + bytes([fd]))
    except OSError:
        connection.close()
        raise
    return connection


def spawn(rendezvous, request, stderr):
    """Start the script of request with stderr as its fd 2; its pid."""
    token = bytes.fromhex(request["token"])
    connections = []
    try:
        if request["stdin"]:
            connections.append((connect(rendezvous, token, 0), 0))
            actions = []
        else:
            actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
        connections.append((connect(rendezvous, token, 1), 1))
        actions += [(os.POSIX_SPAWN_DUP2, connection.fileno(), fd) for connection, fd in connections]
        actions.append((os.POSIX_SPAWN_DUP2, stderr, 2))
        program = find_program(request["file"], request["env"].get("PATH", os.defpath))
        os.chdir(request["cwd"])
        return os.posix_spawn(
            program, request["argv"], request["env"], file_actions=actions,
            setsid=True, setsigdef=RESET_SIGNALS, setsigmask=(),
        )
    finally:
        for connection, _ in connections:
            connection.close()


class ForkServer:
    def __init__(self, rendezvous):
        self.rendezvous = rendezvous
        self.selector = selectors.DefaultSelector()
        self.running = {}
        self.requests = b""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_write)
        self.selector.register(wake_read, selectors.EVENT_READ, self.reap)
        self.selector.register(0, selectors.EVENT_READ, self.read_requests)

    def serve(self):
        """Serve until stdin ends; the pids still running."""
        while self.running is not None:
            for key, _ in self.selector.select():
                key.data(key.fd)
        return self.ended

    def read_requests(self, fd):
        data = os.read(fd, 65536)
        if not data:
            self.ended, self.running = list(self.running), None
            return
        self.requests += data
        *lines, self.requests = self.requests.split(b"\n")
        for line in lines:
            self.start(json.loads(line))

    def start(self, request):
        request_id = request["id"]
        stderr_read, stderr_write = os.pipe()
        try:
            pid = spawn(self.rendezvous, request, stderr_write)
        except Exception as error:  # the script cannot start; the fork server goes on
            os.close(stderr_read)
            code = errno.errorcode.get(getattr(error, "errno", None), "EINVAL")
            reply({"id": request_id, "error": code, "message": getattr(error, "strerror", None) or str(error)})
            return
        finally:
            os.close(stderr_write)
        os.set_blocking(stderr_read, False)
        stderr = Stderr(request_id, stderr_read)
        self.running[pid] = stderr
        self.selector.register(stderr_read, selectors.EVENT_READ, lambda fd: self.relay(stderr))
        reply({"id": request_id, "pid": pid})

    def relay(self, stderr):
        """Pass on what stderr holds; stop at its end."""
        while not stderr.closed:
            try:
                data = os.read(stderr.fd, 65536)
            except BlockingIOError:
                return
            text = stderr.decoder.decode(data, final=not data)
            if text:
                reply({"id": stderr.request_id, "stderr": text})
            if not data:
                self.selector.unregister(stderr.fd)
                os.close(stderr.fd)
                stderr.closed = True

    def reap(self, fd):
        try:
            while os.read(fd, 512):
                pass
        except BlockingIOError:
            pass
        while self.running:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            stderr = self.running.pop(pid, None)
            if stderr is not None:
                # What the script wrote to stderr before it ended goes out before its end.
                self.relay(stderr)
                reply({"id": stderr.request_id, "exit": os.waitstatus_to_exitcode(status)})


class Stderr:
    """A script's stderr pipe, read by the fork server."""

    def __init__(self, request_id, fd):
        self.request_id = request_id
        self.fd = fd
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.closed = False


if sys.version_info < (3, 9):
    sys.exit("the CGI fork server needs Python 3.9 or later")
if len(sys.argv) == 4:
    os.setgroups([])
    os.setgid(int(sys.argv[3]))
    os.setuid(int(sys.argv[2]))
server = ForkServer(sys.argv[1])
reply({"ready": True})
for pid in server.serve():
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
`;
