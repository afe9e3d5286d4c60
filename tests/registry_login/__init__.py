"""Registry login over SSH against a real OpenSSH server on 127.0.0.1."""
