"""What the bench's API server doubles (fake-api.py, list-api.py) share: a request handler that
behaves at the socket as the API server does, and HTTPS serving on 127.0.0.1."""
import socket, ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # As the API server does (Go sets TCP_NODELAY on every connection). With Nagle on, the
        # last segment of each list page waited for the client's delayed ACK: ~20 ms per page.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass


def serve(port, cert, key, handler, ready=None):
    """Serves `handler` over TLS on 127.0.0.1:port until killed; prints `ready` once listening."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    if ready:
        print(ready, flush=True)
    server.serve_forever()
