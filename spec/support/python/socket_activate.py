"""Play systemd's socket activation: listen on 127.0.0.1 port 0, print the port, then run the
given command with that listening socket as file descriptor 3 (LISTEN_FDS=1)."""
import os
import socket
import sys

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(f"ACTIVATED {listener.getsockname()[1]}", flush=True)
if listener.fileno() != 3:
    os.dup2(listener.fileno(), 3)
os.set_inheritable(3, True)  # sockets are made close-on-exec; dup2 onto itself would not change that
os.environ["LISTEN_FDS"] = "1"
os.execvp(sys.argv[1], sys.argv[1:])
