"""Actions secret key pairs (Curve25519) and sealed-box decryption, as GitHub does server-side."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass, field

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox


def _key_id() -> str:
    # Real key ids are long decimal strings.
    return str(secrets.randbelow(10**18) + 10**17)


@dataclass
class KeyPair:
    private: PrivateKey = field(default_factory=PrivateKey.generate)
    key_id: str = field(default_factory=_key_id)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(bytes(self.private.public_key)).decode()

    def view(self) -> dict[str, str]:
        return {"key_id": self.key_id, "key": self.public_b64}

    def decrypt(self, encrypted_b64: str) -> str | None:
        """The plaintext of a base64 sealed box made for this key, or None if it does not open."""
        try:
            sealed = base64.b64decode(encrypted_b64, validate=True)
            return SealedBox(self.private).decrypt(sealed).decode()
        except (binascii.Error, ValueError, CryptoError, UnicodeDecodeError):
            return None
