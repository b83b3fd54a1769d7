"""MNIST-style downloads against a loopback HTTP server: never the internet."""
import gzip
import hashlib
import http.server
import struct
import threading

import numpy as np
import pytest

from playground.core.data.downloads import Collection, Remote, ensure_downloaded, load_collection
from playground.core.errors import DataError


def idx(array, code=0x08):
    return (struct.pack(">BBBB", 0, 0, code, array.ndim)
            + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes())


def make_files():
    rng = np.random.default_rng(0)
    parts = {}
    for part, n in (("train", 30), ("t10k", 10)):
        parts[f"{part}-images-idx3-ubyte.gz"] = gzip.compress(idx(rng.integers(0, 255, (n, 4, 4))))
        parts[f"{part}-labels-idx1-ubyte.gz"] = gzip.compress(idx(np.arange(n) % 10))
    return parts


class Server:
    """Serves bytes from a dict, honours Range requests, records what was asked."""

    def __init__(self, files):
        self.files, self.requests = files, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = server.files.get(self.path.lstrip("/"))
                server.requests.append((self.path, self.headers.get("Range")))
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    files = make_files()
    running = Server(files)
    yield running
    running.close()


def collection_for(server, files=None):
    files = files or server.files
    return Collection("Tiny", server.url, {
        name: Remote(len(body), hashlib.sha256(body).hexdigest()) for name, body in files.items()
    }, tuple(str(i) for i in range(10)))


def test_download_verifies_caches_and_reports_progress(tmp_path, server):
    seen = []
    X, y, classes = load_collection("tiny", lambda f, done, total: seen.append((f, done, total)),
                                    collection_for(server), tmp_path)
    assert X.shape == (40, 16) and y.shape == (40,) and classes[3] == "3"
    assert {f for f, _, _ in seen} == set(server.files)
    assert all(done <= total for _, done, total in seen) and seen[-1][1] == seen[-1][2]
    requests = len(server.requests)
    load_collection("tiny", None, collection_for(server), tmp_path)  # cached: no traffic
    assert len(server.requests) == requests


def test_an_interrupted_download_resumes_with_a_range_request(tmp_path, server):
    name = "train-images-idx3-ubyte.gz"
    body = server.files[name]
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / (name + ".part")).write_bytes(body[:50])
    ensure_downloaded("tiny", None, collection_for(server), tmp_path)
    assert (folder / name).read_bytes() == body
    assert (f"/{name}", "bytes=50-") in server.requests


def test_a_corrupted_download_is_refused_and_not_kept(tmp_path, server):
    collection = collection_for(server)
    wrong = dict(collection.files)
    wrong["t10k-labels-idx1-ubyte.gz"] = Remote(wrong["t10k-labels-idx1-ubyte.gz"].size, "0" * 64)
    bad = Collection("Tiny", server.url, wrong, collection.class_names)
    with pytest.raises(DataError, match="was corrupted"):
        ensure_downloaded("tiny", None, bad, tmp_path)
    assert not (tmp_path / "tiny" / "t10k-labels-idx1-ubyte.gz").exists()
    assert not (tmp_path / "tiny" / "t10k-labels-idx1-ubyte.gz.part").exists()


def test_offline_is_one_sentence(tmp_path, server):
    collection = collection_for(server)
    server.close()
    with pytest.raises(DataError, match=r"Could not download Tiny .*try again"):
        ensure_downloaded("tiny", None, collection, tmp_path)
