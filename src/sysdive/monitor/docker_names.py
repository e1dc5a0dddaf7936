"""Container names and images from the Docker Engine API (TEMPORARY: replaced by the
container issue's resolver once it lands in main)."""

from __future__ import annotations

from typing import Any


class DockerDescriber:
    """Asks dockerd (through the docker SDK) for a container's name and image."""

    def __init__(self) -> None:
        self._client: Any = None

    def __call__(self, runtime: str, cid: str) -> tuple[str, str] | None:
        if runtime != "docker":
            return None
        try:
            if self._client is None:
                import docker  # type: ignore[import-untyped]

                self._client = docker.from_env(timeout=2)
            attrs = self._client.api.inspect_container(cid)
        except Exception:   # dockerd away or container gone: ask again later
            return None
        name = str(attrs.get("Name", "")).lstrip("/") or cid
        image = str(attrs.get("Config", {}).get("Image", ""))
        return name, image
