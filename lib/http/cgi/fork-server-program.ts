/** Output bytes the fork server relays for a script before it waits for the server to ask for more. */
export const OUTPUT_WINDOW = 256 * 1024;

/** Bytes before each frame's payload: its kind (one byte), request id and payload length (big-endian u32 each). */
export const FRAME_HEAD_BYTES = 9;

/** What a frame from the fork server carries, by its first byte. */
export const FrameKind = {
  /** It is ready to take requests (request id 0, no payload). */
  Ready: 0x52,
  /** The script started: its pid (u32). */
  Started: 0x50,
  /** It could not be started: JSON `{"error": errno name, "message"}`. */
  Failed: 0x46,
  /** What the script wrote to stdout; empty at the end of its output. */
  Output: 0x4f,
  /** What the script wrote to stderr. */
  Stderr: 0x45,
  /** It has ended and been reaped: os.waitstatus_to_exitcode() (i32: the status, or minus the signal). */
  Exit: 0x58,
} as const;

/**
 * The fork server's program, run as `python3 -I -S -c FORK_SERVER_PROGRAM <rendezvous> [uid gid]`:
 * a small process that starts CGI scripts for this one, so this one never forks itself
 * (fork-server.ts says why and speaks its protocol). It needs Python 3.9 or later. Given `uid gid`,
 * it first becomes that user (no supplementary groups), and so do the scripts it starts.
 * native/fork-server.c is the same program in C, run instead where `npm install` could compile
 * it; a change to either is made to both.
 *
 * It reads JSON lines from stdin:
 * - `{"id", "token", "file", "argv", "cwd", "env", "stdin"}` starts a script (posix_spawn: no
 *   shell, a session of its own, default signal handling, no other descriptor). Its stdout and
 *   stderr are pipes the fork server reads; its stdin, when `stdin`, is a connection to the Unix
 *   socket `<rendezvous>` that starts with `token` (16 bytes) and the byte 0, else /dev/null.
 * - `{"more": id}`: the server has taken the last OUTPUT_WINDOW bytes of that script's output.
 * - `{"close": id}`: the server wants no more of that script's output; its stdout is closed.
 * When stdin ends it kills what is still running and exits.
 *
 * It writes frames to stdout (FrameKind: a kind byte, the request id, the payload's length, the
 * payload), all that one turn of its loop has to say in one write: Ready first; for each request
 * Started or Failed; then Output and Stderr as the script writes (at most OUTPUT_WINDOW bytes of
 * output before a `more`), an empty Output at the end of its output, and Exit once it has been
 * reaped (after what it wrote to stderr).
 */
export const FORK_SERVER_PROGRAM = String.raw`
import errno, json, os, selectors, signal, socket, struct, sys

RESET_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)
WINDOW = ${OUTPUT_WINDOW}
HEAD = struct.Struct(">BII")
READY, STARTED, FAILED, OUTPUT, STDERR, EXIT = b"RPFOEX"


def find_program(file, path):
    if "/" in file:
        return file
    for directory in path.split(":"):
        candidate = os.path.join(directory or ".", file)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(errno.ENOENT, "No such file or directory", file)


def connect(rendezvous, token):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(rendezvous)
        connection.sendall(token + b"\0")
    except OSError:
        connection.close()
        raise
    return connection


def spawn(rendezvous, request, stdout, stderr):
    """Start the script of request with stdout and stderr as its fds 1 and 2; its pid."""
    connection = None
    try:
        if request["stdin"]:
            connection = connect(rendezvous, bytes.fromhex(request["token"]))
            actions = [(os.POSIX_SPAWN_DUP2, connection.fileno(), 0)]
        else:
            actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
        actions += [(os.POSIX_SPAWN_DUP2, stdout, 1), (os.POSIX_SPAWN_DUP2, stderr, 2)]
        program = find_program(request["file"], request["env"].get("PATH", os.defpath))
        os.chdir(request["cwd"])
        return os.posix_spawn(
            program, request["argv"], request["env"], file_actions=actions,
            setsid=True, setsigdef=RESET_SIGNALS, setsigmask=(),
        )
    finally:
        if connection is not None:
            connection.close()


class Script:
    """A running script: its request id and the read ends of its stdout and stderr (None once closed)."""

    def __init__(self, request_id, stdout, stderr):
        self.request_id = request_id
        self.stdout = stdout
        self.stderr = stderr
        self.window = WINDOW


class ForkServer:
    def __init__(self, rendezvous):
        self.rendezvous = rendezvous
        self.selector = selectors.DefaultSelector()
        self.running = {}
        self.by_id = {}
        self.requests = b""
        self.frames = bytearray()
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(wake_write)
        self.selector.register(wake_read, selectors.EVENT_READ, self.reap)
        self.selector.register(0, selectors.EVENT_READ, self.read_requests)

    def send(self, kind, request_id, payload=b""):
        self.frames += HEAD.pack(kind, request_id, len(payload))
        self.frames += payload

    def flush(self):
        data = memoryview(self.frames)
        while data:
            data = data[os.write(1, data):]
        self.frames = bytearray()

    def serve(self):
        """Serve until stdin ends; the pids still running."""
        self.send(READY, 0)
        self.flush()
        while self.running is not None:
            for key, _ in self.selector.select():
                key.data(key.fd)
            self.flush()
        return self.ended

    def read_requests(self, fd):
        data = os.read(fd, 65536)
        if not data:
            self.ended, self.running = list(self.running), None
            return
        self.requests += data
        *lines, self.requests = self.requests.split(b"\n")
        for line in lines:
            request = json.loads(line)
            if "id" in request:
                self.start(request)
                continue
            script = self.by_id.get(request.get("more", request.get("close")))
            if script is None:
                pass
            elif "close" in request:
                self.close_stdout(script)
            else:
                self.ask_more(script)

    def start(self, request):
        request_id = request["id"]
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        try:
            pid = spawn(self.rendezvous, request, stdout_write, stderr_write)
        except Exception as error:  # the script cannot start; the fork server goes on
            os.close(stdout_read)
            os.close(stderr_read)
            code = errno.errorcode.get(getattr(error, "errno", None), "EINVAL")
            message = getattr(error, "strerror", None) or str(error)
            self.send(FAILED, request_id, json.dumps({"error": code, "message": message}).encode())
            return
        finally:
            os.close(stdout_write)
            os.close(stderr_write)
        os.set_blocking(stdout_read, False)
        os.set_blocking(stderr_read, False)
        script = Script(request_id, stdout_read, stderr_read)
        self.running[pid] = script
        self.by_id[request_id] = script
        self.selector.register(stdout_read, selectors.EVENT_READ, lambda fd: self.relay_stdout(script))
        self.selector.register(stderr_read, selectors.EVENT_READ, lambda fd: self.relay_stderr(script))
        self.send(STARTED, request_id, pid.to_bytes(4, "big"))

    def ask_more(self, script):
        """The server took the last window of output: read on."""
        if script.window == 0:
            self.selector.register(script.stdout, selectors.EVENT_READ, lambda fd: self.relay_stdout(script))
        script.window = WINDOW

    def relay_stdout(self, script):
        """Pass on what the script's stdout holds, up to its window; stop at its end."""
        if script.stdout is None:  # closed earlier in this turn of the loop
            return
        while script.window > 0:
            try:
                data = os.read(script.stdout, min(65536, script.window))
            except BlockingIOError:
                return
            self.send(OUTPUT, script.request_id, data)
            if not data:
                self.close_stdout(script)
                return
            script.window -= len(data)
        self.selector.unregister(script.stdout)

    def close_stdout(self, script):
        if script.window > 0:
            self.selector.unregister(script.stdout)
        os.close(script.stdout)
        script.stdout = None
        del self.by_id[script.request_id]

    def relay_stderr(self, script):
        """Pass on what stderr holds; stop at its end."""
        while script.stderr is not None:
            try:
                data = os.read(script.stderr, 65536)
            except BlockingIOError:
                return
            if data:
                self.send(STDERR, script.request_id, data)
            else:
                self.selector.unregister(script.stderr)
                os.close(script.stderr)
                script.stderr = None

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
            script = self.running.pop(pid, None)
            if script is not None:
                # What the script wrote before it ended goes out before its end.
                if script.stdout is not None and script.window > 0:
                    self.relay_stdout(script)
                self.relay_stderr(script)
                self.send(EXIT, script.request_id, os.waitstatus_to_exitcode(status).to_bytes(4, "big", signed=True))


if sys.version_info < (3, 9):
    sys.exit("the CGI fork server needs Python 3.9 or later")
if len(sys.argv) == 4:
    os.setgroups([])
    os.setgid(int(sys.argv[3]))
    os.setuid(int(sys.argv[2]))
server = ForkServer(sys.argv[1])
for pid in server.serve():
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
`;
