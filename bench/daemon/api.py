"""bench/daemon/api.py: one request to chaosrund, for the benchmark's set-up (not timed).

    python3 api.py PORT TOKEN METHOD PATH [JSON-BODY]

Prints the response body; exits 1 on a non-2xx status (the body goes to stderr).
"""
import http.client
import sys


def main():
    port, token, method, path = sys.argv[1:5]
    body = sys.argv[5] if len(sys.argv) > 5 else None
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read().decode()
    if not 200 <= resp.status < 300:
        sys.stderr.write(f"{method} {path}: {resp.status} {data}\n")
        sys.exit(1)
    print(data)


if __name__ == "__main__":
    main()
