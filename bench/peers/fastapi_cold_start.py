"""Cold start of the FastAPI peer (bench/serve_peer/app.py under uvicorn): from spawning the
process to its first answer to GET /info/version with the key. Prints the median in ms of
`runs` starts. Usage: fastapi_cold_start.py [runs] [port]"""
import os
import socket
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
port = int(sys.argv[2]) if len(sys.argv) > 2 else 18083
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve_peer")
env = dict(os.environ, FAST_API__AUTH__API_KEY__NAME="x-api-key",
           FAST_API__AUTH__API_KEY__VALUE="bench-key")
request = (b"GET /info/version HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: bench-key\r\n"
           b"Connection: close\r\n\r\n")


def first_answer():
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(request)
                data = s.recv(4096)
                if data.startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.001)


times = []
for _ in range(runs):
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "uvicorn", "app:app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=here, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    first_answer()
    times.append((time.perf_counter() - start) * 1000)
    proc.kill()
    proc.wait()
print(f"{statistics.median(times):.1f}")
