"""Demo data for a first look. Passwords are random per install and kept in instance/."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

from screening.services import users

DEMO_USERS = [
    ("admin@demo.local", "admin", "Demo Admin"),
    ("recruiter@demo.local", "recruiter", "Rita Recruiter"),
    ("manager@demo.local", "manager", "Max Manager"),
]


def seed(instance_path: str) -> list[str]:
    logins_file = Path(instance_path) / "demo_logins.json"
    logins = json.loads(logins_file.read_text()) if logins_file.exists() else {}
    lines = []
    for email, role, name in DEMO_USERS:
        if users.get_by_email(email) is None:
            password = secrets.token_urlsafe(9)
            users.create_user(email, role, password, name=name)
            logins[email] = password
            lines.append(f"created {role} {email}")
    logins_file.write_text(json.dumps(logins, indent=1))
    logins_file.chmod(0o600)
    lines.extend(demo_logins(instance_path))
    return lines


def demo_logins(instance_path: str) -> list[str]:
    logins_file = Path(instance_path) / "demo_logins.json"
    if not logins_file.exists():
        return []
    logins = json.loads(logins_file.read_text())
    return [f"  {email}  password: {password}" for email, password in logins.items()]
