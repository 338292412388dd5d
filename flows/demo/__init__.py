"""The bundled demo: a sample Arabic news site served on 127.0.0.1 for `akhbar demo` and tests."""
