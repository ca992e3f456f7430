"""The offline sandbox: moto extended with this architecture's path, on 127.0.0.1."""
