"""MNIST and Fashion-MNIST, downloaded on request into the user's data folder.

Each file is fetched to a `.part` file (resumed with an HTTP Range request after an
interruption), checked against its published SHA-256, then moved into place; a cached
file is checked again before use. Offline, the error says so in one sentence.
"""
from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from ..errors import DataError
from .files import read_idx

Progress = Callable[[str, int, int], None]  # (file name, bytes done, bytes total)
_CHUNK = 256 * 1024
_TIMEOUT = 30


@dataclass(frozen=True)
class Remote:
    size: int
    sha256: str


@dataclass(frozen=True)
class Collection:
    label: str
    base_url: str
    files: Mapping[str, Remote]
    class_names: tuple[str, ...]


# Sizes and SHA-256 as published in TensorFlow Datasets' checksum files.
COLLECTIONS: dict[str, Collection] = {
    "mnist": Collection(
        "MNIST", "https://storage.googleapis.com/cvdf-datasets/mnist/",
        {
            "train-images-idx3-ubyte.gz": Remote(
                9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            "train-labels-idx1-ubyte.gz": Remote(
                28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            "t10k-images-idx3-ubyte.gz": Remote(
                1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            "t10k-labels-idx1-ubyte.gz": Remote(
                4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        },
        tuple(str(digit) for digit in range(10)),
    ),
    "fashion_mnist": Collection(
        "Fashion-MNIST", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        {
            "train-images-idx3-ubyte.gz": Remote(
                26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            "train-labels-idx1-ubyte.gz": Remote(
                29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            "t10k-images-idx3-ubyte.gz": Remote(
                4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            "t10k-labels-idx1-ubyte.gz": Remote(
                5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        },
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
         "Sneaker", "Bag", "Ankle boot"),
    ),
}


def data_folder() -> Path:
    """Where downloaded data sets live: $GRADIENT_PLAYGROUND_DATA, else the user's data
    folder (platformdirs)."""
    override = os.environ.get("GRADIENT_PLAYGROUND_DATA")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("gradient-playground", appauthor=False)) / "datasets"


def ensure_downloaded(name: str, progress: Progress | None = None,
                      collection: Collection | None = None,
                      folder: Path | None = None) -> Path:
    """Download what is missing, verify everything; return the collection's folder."""
    collection = collection or COLLECTIONS[name]
    target = (folder or data_folder()) / name
    target.mkdir(parents=True, exist_ok=True)
    for filename, remote in collection.files.items():
        path = target / filename
        if path.is_file() and _sha256(path) == remote.sha256:
            continue
        _download(collection, filename, remote, path, progress)
    return target


def is_downloaded(name: str, folder: Path | None = None) -> bool:
    target = (folder or data_folder()) / name
    return all((target / f).is_file() for f in COLLECTIONS[name].files)


def load_collection(name: str, progress: Progress | None = None,
                    collection: Collection | None = None, folder: Path | None = None
                    ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """All images (train then test) flattened to float32, their labels, class names."""
    collection = collection or COLLECTIONS[name]
    where = ensure_downloaded(name, progress, collection, folder)
    images = [read_idx(where / f"{part}-images-idx3-ubyte.gz") for part in ("train", "t10k")]
    labels = [read_idx(where / f"{part}-labels-idx1-ubyte.gz") for part in ("train", "t10k")]
    X = np.concatenate([i.reshape(len(i), -1) for i in images]).astype(np.float32)
    y = np.concatenate(labels).astype(np.int64)
    return X, y, collection.class_names


def _download(collection: Collection, filename: str, remote: Remote, path: Path,
              progress: Progress | None) -> None:
    part = path.with_name(path.name + ".part")
    done = part.stat().st_size if part.is_file() else 0
    if done >= remote.size:  # a complete but unverified (or wrong) file: start again
        part.unlink()
        done = 0
    url = collection.base_url + filename
    request = urllib.request.Request(url, headers={"Range": f"bytes={done}-"} if done else {})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            if done and response.status != 206:  # the server ignored the Range: restart
                done = 0
            with part.open("ab" if done else "wb") as file:
                _copy(response, file, done, remote.size, filename, progress)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"Could not download {collection.label} ({filename} from "
            f"{urllib.request.urlparse(url).netloc}: {reason}); check the internet "
            f"connection and try again (whatever was fetched is kept, and the "
            f"download resumes from there)."
        ) from None
    if _sha256(part) != remote.sha256:
        part.unlink()
        raise DataError(f"The download of {collection.label} ({filename}) was corrupted "
                        "(its SHA-256 does not match the published one); try again.")
    os.replace(part, path)


def _copy(response, file, done: int, total: int, filename: str,
          progress: Progress | None) -> None:
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        file.write(chunk)
        done += len(chunk)
        if progress is not None:
            progress(filename, done, total)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
