"""HSDS ids: UUIDs made from our own ids, the same on every run and in every export.

Each is uuid5(NAMESPACE, "<kind>:<our ids>"): a service is "service:<program id>", its
organization "organization:<facility id>", a taxonomy term "taxonomy_term:<vocabulary>:<slug>".
A uuid5 cannot be read back, so an id asked for (/services/{id}) is found in an index of the
UUIDs of every row of its kind (IdIndex): 16 bytes a row, built once a process and extended
when rows are added.
"""

import threading
import uuid
from array import array
from bisect import bisect_left, bisect_right
from functools import lru_cache
from hashlib import sha1

# Fixed for good: changing it changes every id a 211 has stored.
NAMESPACE = uuid.UUID("9eaa5b93-7e3f-45dc-b2b7-cc6312b1c67c")


def hsds_id(kind, *parts):
    """The UUID, as text, of an HSDS object of this kind made from these ids of ours."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, parts)])))


@lru_cache(maxsize=4096)
def term_id(kind, *parts):
    """hsds_id() for the few ids asked for again and again (taxonomies and their terms)."""
    return hsds_id(kind, *parts)


def parse_uuid(text):
    """The UUID the text spells, or None."""
    try:
        return uuid.UUID(str(text).strip())
    except ValueError:
        return None


def key_of(uuid_bytes):
    """The first 64 bits of a UUID, as the index sorts them."""
    return int.from_bytes(uuid_bytes[:8], "big")


def uuid5_key(name_bytes):
    """key_of(uuid5(NAMESPACE, name).bytes), without making the UUID: the index hashes every
    row of a kind, a quarter of the time uuid.uuid5 takes."""
    digest = bytearray(sha1(NAMESPACE.bytes + name_bytes).digest()[:8])
    digest[6] = (digest[6] & 0x0F) | 0x50  # the version, as uuid5 sets it
    return int.from_bytes(digest, "big")


class IdIndex:
    """Our ids of one kind of HSDS object found from their UUIDs: the UUIDs' first 64 bits
    sorted, beside the ids they were made from. `rows()` gives our ids (every row, whatever
    its status: the caller's query decides what may be shown), `newer(pk)` those added after
    the last id indexed. A UUID not found reads the new rows once, in one indexed query."""

    def __init__(self, kind, rows, newer):
        self.kind, self.rows, self.newer = kind, rows, newer
        self.keys, self.pks = array("Q"), array("q")
        self.last = None  # the highest id indexed; None before the first look-up
        self.lock = threading.Lock()

    def add(self, pks):
        prefix = f"{self.kind}:".encode()
        pairs = [(uuid5_key(prefix + str(pk).encode()), pk) for pk in pks]
        if not pairs:
            return
        pairs += zip(self.keys, self.pks, strict=True)
        pairs.sort()
        self.keys = array("Q", (key for key, _ in pairs))
        self.pks = array("q", (pk for _, pk in pairs))
        self.last = max(self.last or 0, max(self.pks))

    def candidates(self, key):
        low, high = bisect_left(self.keys, key), bisect_right(self.keys, key)
        return list(self.pks[low:high])

    def find(self, text):
        """Our id whose UUID the text is, or None."""
        return self.find_all([text])[0]

    def find_all(self, texts):
        """find() for each text, the rows added since the last look-up read at most once:
        a list of unknown ids costs one query, not one each."""
        asked = [parse_uuid(text) for text in texts]
        keys = {uuid: key_of(uuid.bytes) for uuid in asked if uuid and uuid.version == 5}
        with self.lock:
            if self.last is None:
                self.last = 0
                self.add(self.rows())
            if not all(self.candidates(key) for key in keys.values()):
                self.add(self.newer(self.last))
            found = {uuid: self.candidates(key) for uuid, key in keys.items()}
        # 64 bits may be shared by two UUIDs: the whole UUID decides.
        return [
            next((pk for pk in found.get(uuid, ()) if hsds_id(self.kind, pk) == str(uuid)), None)
            for uuid in asked
        ]
