"""Coolify stores a private key trimmed with one trailing newline added back; our provider sees no diff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.coolify.client import CoolifyClient
from components.coolify.resources.private_key import PrivateKeyProvider
from tests.coolify.helpers import fake_pem

MakeProvider = Callable[[type[Any]], Any]


def test_the_stored_key_is_trimmed_with_one_trailing_newline(client: CoolifyClient) -> None:
    pem = fake_pem()
    # formatPrivateKey() in bootstrap/helpers/shared.php: trim(), then "\n" appended.
    for sent in (pem.rstrip("\n"), "\n  " + pem + "\n\n \t"):
        uuid = client.private_keys.create({"name": f"k{len(sent)}", "private_key": sent})
        assert client.private_keys.get(uuid)["private_key"] == pem.strip() + "\n"
        client.private_keys.delete(uuid)


def test_a_key_sent_without_its_trailing_newline_shows_no_diff(make_provider: MakeProvider,
                                                              client: CoolifyClient) -> None:
    provider = make_provider(PrivateKeyProvider)
    pem = fake_pem().rstrip("\n")
    inputs = {"name": "penpal-staging", "private_key": pem}
    created = provider.create(inputs)
    assert client.private_keys.get(created.id)["private_key"] == pem + "\n"  # what Coolify keeps differs
    assert provider.diff(created.id, created.outs, inputs).changes is False
    refreshed = provider.read(created.id, created.outs)
    assert provider.diff(created.id, refreshed.outs, inputs).changes is False
    # The same key with Coolify's trailing newline, or padded with blanks, is the same key: no update.
    for same in (pem + "\n", "  " + pem + "\n\n"):
        assert provider.diff(created.id, refreshed.outs, {**inputs, "private_key": same}).changes is False


def test_the_same_key_is_adopted_whatever_its_surrounding_whitespace(make_provider: MakeProvider,
                                                                    client: CoolifyClient) -> None:
    pem = fake_pem()
    existing = client.private_keys.create({"name": "old-name", "private_key": pem})
    provider = make_provider(PrivateKeyProvider)
    adopted = provider.create({"name": "penpal-staging", "private_key": pem.rstrip("\n")})
    assert adopted.id == existing
    assert len(client.private_keys.list()) == 1
