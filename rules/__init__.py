"""obolint's built-in rule packs (TOML data, shipped inside the wheel as ``obolint.rules``)."""
