"""Files as partners send them, shared by the equipment tests and the end-to-end journeys."""

from __future__ import annotations


def laptops_csv(prefix: str = "NAV", count: int = 30) -> bytes:
    """``count`` laptops as a refurbisher sends them: French headers, ';', Windows-1252, CRLF.
    Inventory numbers are ``PREFIX-001``…, so each test can keep its own."""
    lines = ["N° inventaire;N° de série;Type;Marque;Modèle;RAM;Grade;Test;Méthode d'effacement"]
    lines += [
        f"{prefix}-{i:03d};{prefix}SN{i:05d};Portable;Lenovo;ThinkPad T470;8 Go;"
        f"{'ABC'[i % 3]};OK;NIST 800-88"
        for i in range(1, count + 1)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")
