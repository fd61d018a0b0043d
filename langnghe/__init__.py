"""Lắng Nghe — the citizen-facing service platform of a provincial police force."""
